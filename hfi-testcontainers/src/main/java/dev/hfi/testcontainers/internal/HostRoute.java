package dev.hfi.testcontainers.internal;

import com.github.dockerjava.api.command.InspectNetworkCmd;
import com.github.dockerjava.api.model.Network;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import org.testcontainers.DockerClientFactory;

/**
 * How a container reaches a server that listens on this machine's loopback ({@code
 * http://localhost:PORT} in a test): through a {@link HostForwarder} in this JVM.
 *
 * <ul>
 *   <li>Where the Docker network's gateway is an address of this machine (Docker Engine on Linux),
 *       the forwarder listens on the gateway address, which every container of that network reaches
 *       and nothing outside this machine does. Docker's {@code host-gateway} is not used: it means
 *       the default bridge's gateway, which does not exist on a daemon started with {@code
 *       --bridge=none} (it resolves to nothing there).
 *   <li>Otherwise (Docker Desktop, a remote or rootless daemon: the gateway lives in another
 *       network namespace) the forwarder listens on every interface and containers address it as
 *       {@code host.docker.internal}, mapped to {@code host-gateway}.
 * </ul>
 *
 * Thread-safe; {@link #close()} stops the forwarder.
 */
public interface HostRoute extends Closeable {

  /** The name Docker Desktop and {@code host-gateway} give the host. */
  String DOCKER_HOST_ALIAS = "host.docker.internal";

  /** How a container addresses this machine, e.g. {@code 172.20.0.1}. */
  String host();

  /** Whether {@link #host()} must be added as an extra host mapped to {@code host-gateway}. */
  boolean needsHostGateway();

  /** The port on {@link #host()} at which a container reaches {@code host:port} of this machine. */
  int forward(String host, int port);

  @Override
  void close();

  /** The route for containers on {@code network} (a network id or name, e.g. {@code bridge}). */
  static HostRoute forNetwork(String network) {
    InetAddress gateway = localGateway(network);
    HostForwarder forwarder;
    String host;
    if (gateway != null) {
      forwarder = new HostForwarder(gateway);
      host = gateway.getHostAddress();
    } else {
      try {
        forwarder = new HostForwarder(InetAddress.getByName("0.0.0.0"));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
      host = DOCKER_HOST_ALIAS;
    }
    boolean alias = gateway == null;
    return new HostRoute() {
      @Override
      public String host() {
        return host;
      }

      @Override
      public boolean needsHostGateway() {
        return alias;
      }

      @Override
      public int forward(String target, int port) {
        return forwarder.forward(target, port);
      }

      @Override
      public void close() {
        forwarder.close();
      }
    };
  }

  /** The IPv4 gateway of {@code network} when it is an address of this machine, else null. */
  private static InetAddress localGateway(String network) {
    try (InspectNetworkCmd cmd =
        DockerClientFactory.instance().client().inspectNetworkCmd().withNetworkId(network)) {
      Network inspected = cmd.exec();
      if (inspected.getIpam() == null || inspected.getIpam().getConfig() == null) {
        return null;
      }
      for (Network.Ipam.Config c : inspected.getIpam().getConfig()) {
        String gw = c.getGateway();
        if (gw != null && !gw.isBlank() && !gw.contains(":")) {
          InetAddress address = InetAddress.getByName(gw);
          if (NetworkInterface.getByInetAddress(address) != null) {
            return address;
          }
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    } catch (RuntimeException e) {
      // No such network (e.g. no default bridge): fall back to host.docker.internal.
      return null;
    }
  }
}
