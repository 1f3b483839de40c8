package dev.hfi.client.internal;

import com.google.re2j.PatternSyntaxException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The size of a regex's RE2 program: the number of instructions RE2/J compiles it into, which is
 * what a data plane holds in memory and walks per match (RE2's "program size", not the pattern's
 * length: {@code ((a{100}){100}){100}} is 20 characters and about a million instructions).
 *
 * <p>RE2/J keeps its parser and compiled program package-private, so they are reached through
 * reflection, once. Before compiling, the parsed (unexpanded) syntax tree gives an upper estimate,
 * so a pattern whose program would be huge is refused without building it: compiling is linear in
 * the program, and that program could exhaust the control plane's own memory.
 */
public final class RegexProgram {
  /** A pattern estimated above this many times the limit is refused without compiling it. */
  private static final long COMPILE_GUARD = 4;

  private static final MethodHandle PARSE;
  private static final MethodHandle COMPILE;
  private static final MethodHandle INSTRUCTIONS;
  private static final int PERL;
  private static final Field OP;
  private static final Field SUBS;
  private static final Field RUNES;
  private static final Field MIN;
  private static final Field MAX;

  static {
    try {
      Class<?> re2 = Class.forName("com.google.re2j.RE2");
      Class<?> parser = Class.forName("com.google.re2j.Parser");
      Class<?> regexp = Class.forName("com.google.re2j.Regexp");
      Field perl = re2.getDeclaredField("PERL");
      perl.setAccessible(true);
      PERL = perl.getInt(null);
      Method parse = parser.getDeclaredMethod("parse", String.class, int.class);
      parse.setAccessible(true);
      Method compile = re2.getDeclaredMethod("compile", String.class);
      compile.setAccessible(true);
      Method instructions = re2.getDeclaredMethod("numberOfInstructions");
      instructions.setAccessible(true);
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      PARSE =
          lookup
              .unreflect(parse)
              .asType(MethodType.methodType(Object.class, String.class, int.class));
      COMPILE = lookup.unreflect(compile).asType(MethodType.methodType(Object.class, String.class));
      INSTRUCTIONS =
          lookup.unreflect(instructions).asType(MethodType.methodType(int.class, Object.class));
      OP = accessible(regexp, "op");
      SUBS = accessible(regexp, "subs");
      RUNES = accessible(regexp, "runes");
      MIN = accessible(regexp, "min");
      MAX = accessible(regexp, "max");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "RE2/J's internals are not where this build expects them (re2j 1.8): " + e);
    }
  }

  private RegexProgram() {}

  /** A measured program: {@code exact} when compiled, else {@code size} is an upper estimate. */
  public record Size(long size, boolean exact) {}

  /**
   * The program size of {@code regex} (RE2 syntax, as the filter compiles it). When the estimate is
   * above {@code limit} times a guard factor the pattern is not compiled and the estimate is
   * returned.
   *
   * @throws PatternSyntaxException when it is not a valid RE2 regular expression
   */
  public static Size measure(String regex, long limit) {
    Object tree;
    try {
      tree = PARSE.invokeExact(regex, PERL);
    } catch (PatternSyntaxException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
    long estimate = estimate(tree);
    if (estimate > limit * COMPILE_GUARD) {
      return new Size(estimate, false);
    }
    try {
      return new Size((int) INSTRUCTIONS.invokeExact(COMPILE.invokeExact(regex)), true);
    } catch (PatternSyntaxException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** An upper estimate of the instructions RE2/J's compiler emits for a parsed tree. */
  private static long estimate(Object node) {
    try {
      Object[] subs = (Object[]) SUBS.get(node);
      switch (((Enum<?>) OP.get(node)).name()) {
        case "LITERAL":
          int[] runes = (int[]) RUNES.get(node);
          return runes == null ? 1 : runes.length + 1;
        case "CAPTURE":
          return add(estimate(subs[0]), 2);
        case "STAR":
        case "PLUS":
        case "QUEST":
          return add(estimate(subs[0]), 1);
        case "REPEAT":
          long sub = estimate(subs[0]);
          int min = MIN.getInt(node);
          int max = MAX.getInt(node);
          long copies = max < 0 ? (long) min + 1 : Math.max(max, 1);
          return add(times(sub + 1, copies), 1);
        case "CONCAT":
        case "ALTERNATE":
          long total = 1;
          for (Object s : subs) {
            total = add(total, add(estimate(s), 1));
          }
          return total;
        default:
          return 1;
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long add(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  private static long times(long a, long b) {
    return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }

  private static Field accessible(Class<?> c, String name) throws NoSuchFieldException {
    Field f = c.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }
}
