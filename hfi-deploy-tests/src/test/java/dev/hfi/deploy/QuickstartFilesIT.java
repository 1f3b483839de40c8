package dev.hfi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every repository file QUICKSTART.md and docs/KUBERNETES.md name exists. */
class QuickstartFilesIT {

  private static final Pattern PATH =
      Pattern.compile("(?<![\\w/.-])((?:deploy|ci|hfi-cli|docs)/[\\w./-]*[\\w])");

  @Test
  void everyFileTheQuickstartAndTheReferenceNameExists() throws Exception {
    List<String> named = new ArrayList<>();
    for (String doc : List.of("QUICKSTART.md", "docs/KUBERNETES.md")) {
      Matcher m = PATH.matcher(Files.readString(Deploy.root().resolve(doc)));
      while (m.find()) {
        String path = m.group(1);
        named.add(path);
        assertThat(Deploy.root().resolve(path)).as("%s names %s", doc, path).exists();
      }
    }
    assertThat(named)
        .contains(
            "deploy/kubernetes/sample-app-with-proxy.yaml",
            "deploy/kubernetes/policies/sample-app-unavailable.yaml",
            "deploy/istio/wasmplugin.yaml");
    System.out.println(
        "files named by QUICKSTART.md and docs/KUBERNETES.md, all present: "
            + named.stream().distinct().count());
  }
}
