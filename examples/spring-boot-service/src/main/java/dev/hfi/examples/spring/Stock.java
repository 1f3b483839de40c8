package dev.hfi.examples.spring;

/**
 * A product's stock as the product service answers it.
 *
 * @param sku the product
 * @param available units in stock, or {@code null} when unknown
 * @param source where the figure comes from: {@code inventory} (a fresh answer), {@code cache}
 *     (the last answer, the inventory failing now) or {@code none} (unknown: no answer yet)
 */
public record Stock(String sku, Integer available, String source) {
  static Stock fresh(String sku, int available) {
    return new Stock(sku, available, "inventory");
  }

  Stock cached() {
    return new Stock(sku, available, "cache");
  }

  static Stock unknown(String sku) {
    return new Stock(sku, null, "none");
  }
}
