package dev.hfi.coexistence.spring;

import org.springframework.core.env.Environment;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/** Answers with the inventory's stock for a SKU, or 502 naming the inventory's error status. */
@RestController
class StockController {
  private final RestClient inventory = RestClient.create();
  private final Environment environment;

  StockController(Environment environment) {
    this.environment = environment;
  }

  @GetMapping("/stock/{sku}")
  ResponseEntity<String> stock(@PathVariable("sku") String sku) {
    // Read per call: the inventory's address may change while the application runs.
    String base = environment.getRequiredProperty("inventory.url");
    try {
      return ResponseEntity.ok(
          inventory.get().uri(base + "/api/stock/{sku}", sku).retrieve().body(String.class));
    } catch (RestClientResponseException e) {
      return ResponseEntity.status(502).body("inventory answered " + e.getStatusCode().value());
    }
  }
}
