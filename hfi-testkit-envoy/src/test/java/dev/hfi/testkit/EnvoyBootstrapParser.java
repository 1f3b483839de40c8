package dev.hfi.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads an {@code envoy.yaml} the way Envoy does, through Envoy's own v3 API classes: YAML -> JSON
 * -> {@link JsonFormat} with the typed configs HFI uses registered, rejecting unknown fields.
 */
public final class EnvoyBootstrapParser {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Wasm.getDescriptor())
          .add(Router.getDescriptor())
          .add(StringValue.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  .getDescriptor())
          .build();

  private EnvoyBootstrapParser() {}

  public static Bootstrap parse(String yaml) throws InvalidProtocolBufferException {
    String json;
    try {
      json = JSON.writeValueAsString(YAML.readTree(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(json, bootstrap);
    return bootstrap.build();
  }

  static HttpConnectionManager connectionManager(Listener listener)
      throws InvalidProtocolBufferException {
    return listener
        .getFilterChains(0)
        .getFilters(0)
        .getTypedConfig()
        .unpack(HttpConnectionManager.class);
  }

  static Wasm wasm(Any typedConfig) throws InvalidProtocolBufferException {
    return typedConfig.unpack(Wasm.class);
  }
}
