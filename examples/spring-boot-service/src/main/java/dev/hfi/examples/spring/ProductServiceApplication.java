package dev.hfi.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A product service: {@code GET /api/products/{sku}} answers with the product's stock, which it
 * asks the inventory service for through {@link InventoryClient}.
 */
@SpringBootApplication
public class ProductServiceApplication {
  public static void main(String[] args) {
    SpringApplication.run(ProductServiceApplication.class, args);
  }
}
