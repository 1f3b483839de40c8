package dev.hfi.controlplane.internal.http;

import dev.hfi.client.ApplyResult;
import dev.hfi.client.DeletedPolicy;
import dev.hfi.client.FaultInjectionPolicy;
import dev.hfi.client.InvalidPolicyException;
import dev.hfi.client.Names;
import dev.hfi.client.PolicyCodec;
import dev.hfi.client.PolicyNotFoundException;
import dev.hfi.client.PolicySnapshot;
import dev.hfi.client.internal.Json;
import dev.hfi.controlplane.PolicyStore;
import dev.hfi.controlplane.internal.Admission;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import spark.Request;
import spark.Response;

/** The policy endpoints, one small method each. */
public final class PolicyHandlers {
  /** Header: the store revision after a mutation (or of a read). */
  public static final String REVISION_HEADER = "X-Hfi-Revision";

  /** Header: {@code created}, {@code configured} or {@code unchanged}. */
  public static final String APPLY_RESULT_HEADER = "X-Hfi-Apply-Result";

  /**
   * Header: {@code true} on the answer to a dry run ({@code ?dryRun=true}), which stored nothing.
   */
  public static final String DRY_RUN_HEADER = "X-Hfi-Dry-Run";

  private final PolicyStore store;
  private final Admission admission;
  private final long maxBodyBytes;

  /**
   * Handlers on {@code store}, writing through {@code admission}, reading bodies of at most {@code
   * maxBodyBytes}.
   */
  public PolicyHandlers(PolicyStore store, Admission admission, long maxBodyBytes) {
    this.store = store;
    this.admission = admission;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** {@code POST /v1/policies}: create or update. */
  public Object create(Request req, Response res) throws IOException {
    FaultInjectionPolicy policy = read(req);
    req.attribute(HttpSupport.POLICY_ATTRIBUTE, policy.name());
    return apply(req, policy, res);
  }

  /** {@code PUT /v1/policies/{name}}: update or create under that name. */
  public Object put(Request req, Response res) throws IOException {
    String name = name(req);
    FaultInjectionPolicy policy = read(req);
    if (policy.metadata() == null || policy.name() == null) {
      FaultInjectionPolicy.Metadata m = policy.metadata();
      policy =
          new FaultInjectionPolicy(
              policy.apiVersion(),
              policy.kind(),
              m == null
                  ? FaultInjectionPolicy.Metadata.named(name)
                  : new FaultInjectionPolicy.Metadata(
                      name, m.labels(), m.resourceVersion(), m.creationTimestamp()),
              policy.spec(),
              policy.status());
    } else if (!policy.name().equals(name)) {
      throw new InvalidPolicyException(
          "metadata.name: \""
              + policy.name()
              + "\" does not match the name in the URL \""
              + name
              + "\"");
    }
    return apply(req, policy, res);
  }

  /** {@code GET /v1/policies}. */
  public Object list(Request req, Response res) {
    PolicySnapshot s = store.list();
    res.header(REVISION_HEADER, Long.toString(s.revision()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("apiVersion", FaultInjectionPolicy.API_VERSION);
    body.put("kind", "FaultInjectionPolicyList");
    body.put("metadata", Map.of("resourceVersion", Long.toString(s.revision())));
    body.put("items", s.items());
    return json(res, 200, body);
  }

  /** {@code GET /v1/policies/{name}}. */
  public Object get(Request req, Response res) {
    String name = name(req);
    FaultInjectionPolicy p =
        store
            .get(name)
            .orElseThrow(() -> new PolicyNotFoundException("policy \"" + name + "\" not found"));
    return json(res, 200, p);
  }

  /** {@code DELETE /v1/policies/{name}}: answers with the deleted policy. */
  public Object delete(Request req, Response res) {
    String name = name(req);
    DeletedPolicy d = admission.delete(name);
    res.header(REVISION_HEADER, Long.toString(d.revision()));
    return json(res, 200, d.policy());
  }

  private FaultInjectionPolicy read(Request req) throws IOException {
    HttpSupport.Body body = HttpSupport.readPolicyBody(req.raw(), maxBodyBytes);
    return PolicyCodec.read(body.text(), body.format());
  }

  private static String name(Request req) {
    String name = req.params(":name");
    req.attribute(HttpSupport.POLICY_ATTRIBUTE, name);
    String error = Names.checkDns1123Label("name in the URL", name);
    if (error != null) {
      throw new InvalidPolicyException(error);
    }
    return name;
  }

  /**
   * Applies {@code policy}, or with {@code ?dryRun=true} (kubectl's {@code --dry-run=server})
   * validates it and answers what the apply would do against the stored policy, storing nothing.
   */
  private Object apply(Request req, FaultInjectionPolicy policy, Response res) {
    if (!dryRun(req)) {
      return applied(admission.apply(policy), res);
    }
    ApplyResult r = admission.dryRun(policy);
    res.header(DRY_RUN_HEADER, "true");
    return applied(r, res);
  }

  private static boolean dryRun(Request req) {
    String v = req.queryParams("dryRun");
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true") || v.equals("All")) {
      return true;
    }
    throw new InvalidPolicyException(
        "query parameter dryRun: expected true or false, got \"" + v + "\"");
  }

  private static Object applied(ApplyResult r, Response res) {
    res.header(REVISION_HEADER, Long.toString(r.revision()));
    res.header(APPLY_RESULT_HEADER, r.outcome().wireName());
    return json(res, r.outcome() == ApplyResult.Outcome.CREATED ? 201 : 200, r.policy());
  }

  static String json(Response res, int status, Object body) {
    res.status(status);
    res.type(HttpSupport.JSON);
    return Json.write(body);
  }
}
