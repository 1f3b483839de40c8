package dev.hfi.examples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/products/{sku}}: the product's stock, never an error when inventory fails. */
@RestController
class ProductController {
  private final InventoryClient inventory;

  ProductController(InventoryClient inventory) {
    this.inventory = inventory;
  }

  @GetMapping("/api/products/{sku}")
  Stock product(@PathVariable String sku) {
    return inventory.stock(sku);
  }
}
