package dev.hfi.coexistence.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot web service (Tomcat or Jetty, as its module chooses) whose {@code
 * /stock/{sku}} calls an inventory service with Spring's {@code RestClient}. The same sources are
 * compiled in every Spring module of this folder, each under its own Boot version and server.
 */
@SpringBootApplication
public class InventoryApp {
  public static void main(String[] args) {
    SpringApplication.run(InventoryApp.class, args);
  }
}
