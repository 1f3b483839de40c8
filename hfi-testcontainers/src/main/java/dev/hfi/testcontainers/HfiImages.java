package dev.hfi.testcontainers;

import dev.hfi.testkit.TestkitException;
import dev.hfi.testkit.TestkitException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;

/**
 * The container images HFI runs: its own ({@code hfi-control-plane}, {@code hfi-proxy}, {@code
 * hfi-envoy}, {@code hfi-filter}, published as {@code ghcr.io/hfi-dev/NAME:VERSION}, the version of
 * this jar) and etcd ({@code gcr.io/etcd-development/etcd:v3.5.21}).
 *
 * <p>Each can be replaced for a whole build by a system property, else an environment variable:
 * {@code hfi.image.controlPlane} / {@code HFI_IMAGE_CONTROL_PLANE}, {@code hfi.image.proxy} /
 * {@code HFI_IMAGE_PROXY}, {@code hfi.image.envoy} / {@code HFI_IMAGE_ENVOY}, {@code
 * hfi.image.filter} / {@code HFI_IMAGE_FILTER}, {@code hfi.image.etcd} / {@code HFI_IMAGE_ETCD}.
 * Immutable; thread-safe.
 *
 * <pre>{@code
 * HfiImages images = HfiImages.fromEnvironment();
 * new GenericContainer<>(images.controlPlane()).withExposedPorts(8080);
 * }</pre>
 */
public final class HfiImages {
  private static final Properties BUILT = load();

  private final Map<String, String> sources;

  private HfiImages(Map<String, String> sources) {
    this.sources = sources;
  }

  /** Images from the system properties, else the environment, else the published defaults. */
  public static HfiImages fromEnvironment() {
    Map<String, String> merged = new java.util.HashMap<>(System.getenv());
    System.getProperties().forEach((k, v) -> merged.put(String.valueOf(k), String.valueOf(v)));
    return new HfiImages(Map.copyOf(merged));
  }

  /** Images from these settings (property or variable names as in the class comment). */
  public static HfiImages from(Map<String, String> settings) {
    return new HfiImages(Map.copyOf(settings));
  }

  /**
   * The published name of one of HFI's own images, e.g. {@code ghcr.io/hfi-dev/hfi-envoy:0.1.0}.
   */
  public static DockerImageName published(String name) {
    return DockerImageName.parse(
        BUILT.getProperty("prefix") + name + ":" + BUILT.getProperty("tag"));
  }

  /** {@code hfi-control-plane}: {@code hfi control-plane}. */
  public DockerImageName controlPlane() {
    return image("controlPlane", "CONTROL_PLANE", published("hfi-control-plane"));
  }

  /** {@code hfi-proxy}: the embedded data plane, {@code hfi proxy}. */
  public DockerImageName proxy() {
    return image("proxy", "PROXY", published("hfi-proxy"));
  }

  /**
   * {@code hfi-envoy}: Envoy with the filter; usable wherever an {@code envoyproxy/envoy} image is
   * (it runs Envoy when given {@code -c FILE}).
   */
  public DockerImageName envoy() {
    return image("envoy", "ENVOY", published("hfi-envoy"))
        .asCompatibleSubstituteFor(EnvoyContainer.DEFAULT_IMAGE.getUnversionedPart());
  }

  /** {@code hfi-filter}: {@code plugin.wasm} alone, for Istio and initContainers. */
  public DockerImageName filter() {
    return image("filter", "FILTER", published("hfi-filter"));
  }

  /** etcd for the container stack's store. */
  public DockerImageName etcd() {
    return image("etcd", "ETCD", DockerImageName.parse(BUILT.getProperty("etcd")));
  }

  private DockerImageName image(String property, String variable, DockerImageName fallback) {
    String name = sources.get("hfi.image." + property);
    if (name == null || name.isBlank()) {
      name = sources.get("HFI_IMAGE_" + variable);
    }
    if (name == null || name.isBlank()) {
      return fallback;
    }
    try {
      DockerImageName image = DockerImageName.parse(name.trim());
      image.assertValid();
      return image;
    } catch (IllegalArgumentException e) {
      throw new TestkitException(
          Code.INVALID_CONFIGURATION,
          "hfi.image."
              + property
              + " (or HFI_IMAGE_"
              + variable
              + ") = \""
              + name
              + "\" is not an image name; give one like registry/name:tag");
    }
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = HfiImages.class.getResourceAsStream("images.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "dev/hfi/testcontainers/images.properties missing from the jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
