package dev.hfi.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that other tests run through the JUnit Platform's EngineTestKit (some fail on
 * purpose): it runs only when the configuration parameter {@value #PARAMETER} is true.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(Fixture.Condition.class)
@interface Fixture {
  String PARAMETER = "dev.hfi.junit.fixtures";

  /** Enables fixtures only inside EngineTestKit runs that set the parameter. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(PARAMETER).map(Boolean::parseBoolean).orElse(false)
          ? ConditionEvaluationResult.enabled("fixture run")
          : ConditionEvaluationResult.disabled("fixture: run only through EngineTestKit");
    }
  }
}
