package dev.hfi.filter.internal.dispatch;

/**
 * Open-addressing map from non-zero int keys (context ids) to values, without boxing: the
 * dispatcher looks a context up on every callback. Not thread-safe.
 */
public final class IntMap<V> {
  private int[] keys = new int[64];
  private Object[] values = new Object[64];
  private int size;

  @SuppressWarnings("unchecked")
  public V get(int key) {
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; keys[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return (V) values[i];
      }
    }
    return null;
  }

  public void put(int key, V value) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  @SuppressWarnings("unchecked")
  public V remove(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != 0) {
      if (keys[i] == key) {
        V old = (V) values[i];
        keys[i] = 0;
        values[i] = null;
        size--;
        // Re-insert the rest of the cluster so that lookups do not stop at the hole.
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
          int k = keys[j];
          Object v = values[j];
          keys[j] = 0;
          values[j] = null;
          size--;
          putRaw(k, v);
        }
        return old;
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        putRaw(oldKeys[i], oldValues[i]);
      }
    }
  }

  private void putRaw(int key, Object value) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != 0) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    size++;
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
