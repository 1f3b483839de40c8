package dev.hfi.testkit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC client (grpc-java over Netty, HTTP/2 cleartext) calling the unary method {@code
 * hfi.test.Echo/Say} with raw UTF-8 messages, so no generated code is needed.
 */
final class GrpcEcho {
  static final Metadata.Key<String> FAULT_HEADER =
      Metadata.Key.of("x-hfi-fault", Metadata.ASCII_STRING_MARSHALLER);

  static final MethodDescriptor<String, String> SAY =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("hfi.test.Echo/Say")
          .setRequestMarshaller(Utf8.INSTANCE)
          .setResponseMarshaller(Utf8.INSTANCE)
          .build();

  private GrpcEcho() {}

  /**
   * A real gRPC server (grpc-java over Netty) on a free loopback port answering "echo: " + message.
   */
  static Server server() throws IOException {
    ServerServiceDefinition echo =
        ServerServiceDefinition.builder("hfi.test.Echo")
            .addMethod(
                SAY,
                ServerCalls.asyncUnaryCall(
                    (String message, StreamObserver<String> answer) -> {
                      answer.onNext("echo: " + message);
                      answer.onCompleted();
                    }))
            .build();
    return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(echo)
        .build()
        .start();
  }

  static URI uri(Server server) {
    return URI.create("http://127.0.0.1:" + server.getPort());
  }

  static Client client(URI target) {
    return new Client(
        NettyChannelBuilder.forAddress(target.getHost(), target.getPort()).usePlaintext().build());
  }

  /** A channel to one target; closing it shuts the channel down. */
  static final class Client implements AutoCloseable {
    private final ManagedChannel channel;

    private Client(ManagedChannel channel) {
      this.channel = channel;
    }

    String call(String message) {
      return ClientCalls.blockingUnaryCall(
          channel,
          SAY,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
          message);
    }

    /** A call carrying request header {@code name: value}. */
    String call(String message, String name, String value) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
      return ClientCalls.blockingUnaryCall(
          io.grpc.ClientInterceptors.intercept(
              channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers)),
          SAY,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
          message);
    }

    StatusRuntimeException callExpectingFailure(String message) {
      try {
        String answer = call(message);
        throw new AssertionError("the call succeeded with \"" + answer + "\"");
      } catch (StatusRuntimeException e) {
        return e;
      }
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
