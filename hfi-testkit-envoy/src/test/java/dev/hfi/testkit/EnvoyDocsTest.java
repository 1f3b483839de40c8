package dev.hfi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Envoy configuration shown in docs/ENVOY.md is valid and is what the generator writes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EnvoyDocsTest {

  private static final Path DOC = Path.of("..", "docs", "ENVOY.md");
  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);

  @Test
  void theExampleConfigIsAnEnvoyBootstrapEqualToTheGeneratedOne() throws Exception {
    List<String> blocks = yamlBlocks();
    assertThat(blocks).hasSize(1);

    Bootstrap documented = EnvoyBootstrapParser.parse(blocks.get(0));
    String generated =
        EnvoyConfig.builder()
            .withListenAddress("127.0.0.1")
            .withControlPlane("127.0.0.1", 8080)
            .withUpstream("orders", 10000, "127.0.0.1", 8081)
            .build()
            .toYaml();

    assertThat(documented).isEqualTo(EnvoyBootstrapParser.parse(generated));
  }

  private static List<String> yamlBlocks() throws Exception {
    Matcher m = YAML_BLOCK.matcher(Files.readString(DOC));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }
}
