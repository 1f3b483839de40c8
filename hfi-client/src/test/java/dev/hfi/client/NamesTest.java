package dev.hfi.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one DNS-1123 label check, used for policy, upstream and node names. */
@Timeout(10)
class NamesTest {
  private static final String LONGEST =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  @ParameterizedTest
  @ValueSource(strings = {"a", "0", "orders", "orders-proxy", "v2", "1-a", "a--b", LONGEST})
  void acceptsLabels(String name) {
    assertThat(Names.isDns1123Label(name)).isTrue();
    assertThat(Names.checkDns1123Label("metadata.name", name)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Orders",
        "orders_1",
        "-orders",
        "orders-",
        "orders.proxy",
        "orders proxy",
        "ördérs",
        "a/b"
      })
  void refusesWhatIsNotALabel(String name) {
    assertThat(Names.isDns1123Label(name)).isFalse();
    assertThat(Names.checkDns1123Label("upstream name", name))
        .isEqualTo(
            "upstream name: must be a DNS-1123 label (lower-case letters, digits and '-', starting"
                + " and ending with a letter or digit, at most 63 characters), got \""
                + name
                + "\"");
  }

  @Test
  void refusesSixtyFourCharactersAndShortensThemInTheMessage() {
    assertThat(LONGEST).hasSize(63);
    String name = LONGEST + "a";
    assertThat(Names.isDns1123Label(name)).isFalse();
    assertThat(Names.checkDns1123Label("metadata.name", name))
        .endsWith("got \"" + "a".repeat(57) + "...\"");
  }

  @Test
  void aMissingNameIsRequired() {
    assertThat(Names.isDns1123Label(null)).isFalse();
    assertThat(Names.checkDns1123Label("metadata.name", null))
        .isEqualTo("metadata.name: required, a DNS-1123 label such as \"orders\"");
    assertThat(Names.checkDns1123Label("metadata.name", ""))
        .isEqualTo("metadata.name: required, a DNS-1123 label such as \"orders\"");
  }
}
