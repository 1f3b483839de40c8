package dev.hfi.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hfi.client.ErrorCode;
import dev.hfi.client.HfiException;
import dev.hfi.client.InvalidPolicyException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How errors the server reports are worded: one line each, with the way to fix them. */
@Timeout(10)
class ErrorsTest {
  @Test
  void everyProblemOfAnInvalidAnswerIsALineOfItsOwn() {
    InvalidPolicyException e =
        new InvalidPolicyException(
            List.of("spec.priority: expected an integer, got \"high\"", "metadata.name: required"));
    assertThat(Errors.lines(e))
        .containsExactly(
            "Error from server (Invalid): spec.priority: expected an integer, got \"high\"",
            "Error from server (Invalid): metadata.name: required");
    assertThat(Errors.message(e).lines()).hasSize(2);
    assertThat(Errors.exitCode(e)).isEqualTo(CliException.USAGE);
  }

  @Test
  void aRefusedTokenNamesTheOptionAndTheVariableThatCarryIt() {
    for (ErrorCode code : List.of(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN)) {
      String line = Errors.message(new HfiException(code, "no"));
      assertThat(line).startsWith("Error from server (" + code.code() + "): no; ");
      assertThat(line).contains("--token").contains("HFI_TOKEN").doesNotContain("\n");
    }
  }
}
