package dev.hfi.testkit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Hands the complete lines a process appended to its log file since the last call to a consumer. A
 * line the process wrote before a call returns is handed over by that call: a process writing its
 * log unbuffered (Envoy's stderr) into the file leaves nothing in between. Thread-safe.
 */
public final class LogFileTail {
  private final Path file;
  private final Consumer<String> lines;
  private long offset;

  public LogFileTail(Path file, Consumer<String> lines) {
    this.file = file;
    this.lines = lines;
  }

  /** Reads up to the file's current end (a last line without its newline waits for the next). */
  public synchronized void catchUp() {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size <= offset) {
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 8));
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // read until the buffer is full or the end is reached
      }
      byte[] b = buf.array();
      int n = buf.position();
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (b[i] == '\n') {
          lines.accept(new String(b, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      offset += start;
    } catch (NoSuchFileException e) {
      // Not started yet: nothing written.
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    }
  }
}
