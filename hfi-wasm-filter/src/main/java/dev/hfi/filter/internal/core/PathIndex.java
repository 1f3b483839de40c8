package dev.hfi.filter.internal.core;

import java.util.Arrays;

/**
 * A byte trie over the exact and prefix path conditions of a rule set, so that finding the rules a
 * path can match costs the length of the path, not the number of rules. Each node lists, in rule
 * order, the rules whose prefix ends there and those whose exact path ends there. Immutable once
 * built.
 */
final class PathIndex {
  private static final int[] NONE = new int[0];

  static final class Node {
    byte[] labels = new byte[0];
    Node[] kids = new Node[0];
    int[] prefixRules = NONE;
    int[] exactRules = NONE;

    Node child(byte b) {
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == b) {
          return kids[i];
        }
      }
      return null;
    }

    Node childOrAdd(byte b) {
      Node n = child(b);
      if (n == null) {
        n = new Node();
        labels = Arrays.copyOf(labels, labels.length + 1);
        labels[labels.length - 1] = b;
        kids = Arrays.copyOf(kids, kids.length + 1);
        kids[kids.length - 1] = n;
      }
      return n;
    }
  }

  private final Node root = new Node();

  void add(byte[] path, boolean exact, int rule) {
    Node n = root;
    for (byte b : path) {
      n = n.childOrAdd(b);
    }
    if (exact) {
      n.exactRules = append(n.exactRules, rule);
    } else {
      n.prefixRules = append(n.prefixRules, rule);
    }
  }

  private static int[] append(int[] a, int v) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = v;
    return out;
  }

  Node root() {
    return root;
  }
}
