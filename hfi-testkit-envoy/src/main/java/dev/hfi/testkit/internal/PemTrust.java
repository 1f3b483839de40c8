package dev.hfi.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * A trust store made of the CA certificates of a PEM bundle (what Envoy's {@code trusted_ca}
 * reads).
 */
public final class PemTrust {
  private PemTrust() {}

  /**
   * The certificates of {@code pem} as an in-memory trust store.
   *
   * @throws IllegalArgumentException saying why the file cannot serve (unreadable, no certificate)
   */
  public static KeyStore load(Path pem) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pem)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read it (" + e + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM file of certificates (" + e.getMessage() + ")");
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("it holds no certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust store: " + e, e);
    }
  }
}
