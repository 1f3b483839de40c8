package dev.hfi.filter.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import dev.hfi.filter.HfiFilterWasm;
import dev.hfi.filter.wasm.FilterHost.Engine;
import dev.hfi.filter.wasm.FilterHost.Result;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves from the module itself that Envoy (ABI 0.2.1) can load hfi-filter.wasm. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModuleContractIT {
  /** Host functions of proxy-wasm ABI 0.2.1 as Envoy registers them. */
  private static final Set<String> ABI_0_2_1 =
      Set.of(
          "proxy_log",
          "proxy_get_log_level",
          "proxy_get_status",
          "proxy_set_effective_context",
          "proxy_get_current_time_nanoseconds",
          "proxy_set_tick_period_milliseconds",
          "proxy_get_property",
          "proxy_set_property",
          "proxy_continue_stream",
          "proxy_close_stream",
          "proxy_send_local_response",
          "proxy_get_buffer_bytes",
          "proxy_get_buffer_status",
          "proxy_set_buffer_bytes",
          "proxy_get_header_map_pairs",
          "proxy_set_header_map_pairs",
          "proxy_get_header_map_value",
          "proxy_add_header_map_value",
          "proxy_replace_header_map_value",
          "proxy_remove_header_map_value",
          "proxy_get_header_map_size",
          "proxy_http_call",
          "proxy_grpc_call",
          "proxy_grpc_stream",
          "proxy_grpc_send",
          "proxy_grpc_cancel",
          "proxy_grpc_close",
          "proxy_get_shared_data",
          "proxy_set_shared_data",
          "proxy_register_shared_queue",
          "proxy_resolve_shared_queue",
          "proxy_dequeue_shared_queue",
          "proxy_enqueue_shared_queue",
          "proxy_define_metric",
          "proxy_increment_metric",
          "proxy_record_metric",
          "proxy_get_metric",
          "proxy_done",
          "proxy_call_foreign_function");

  /** WASI functions Envoy's Wasm host provides. */
  private static final Set<String> ENVOY_WASI =
      Set.of(
          "fd_write",
          "fd_read",
          "fd_seek",
          "fd_close",
          "fd_fdstat_get",
          "fd_prestat_get",
          "fd_prestat_dir_name",
          "environ_get",
          "environ_sizes_get",
          "args_get",
          "args_sizes_get",
          "clock_time_get",
          "random_get",
          "proc_exit",
          "sched_yield",
          "poll_oneoff",
          "path_open");

  @Test
  void importsOnlyWhatEnvoyProvides() {
    WasmModule module = Parser.parse(HfiFilterWasm.bytes());
    var imports = module.importSection();
    assertThat(imports.importCount()).isPositive();
    for (int i = 0; i < imports.importCount(); i++) {
      Import imp = imports.getImport(i);
      assertThat(imp.importType()).as(imp.name()).isEqualTo(ExternalType.FUNCTION);
      if (imp.module().equals("env")) {
        assertThat(ABI_0_2_1).as("env import").contains(imp.name());
      } else {
        assertThat(imp.module()).isEqualTo("wasi_snapshot_preview1");
        assertThat(ENVOY_WASI).as("wasi import").contains(imp.name());
      }
    }
  }

  @Test
  void exportsTheAbiVersionAllocatorInitializeAndCallbacks() {
    WasmModule module = Parser.parse(HfiFilterWasm.bytes());
    Set<String> exports = new HashSet<>();
    var section = module.exportSection();
    for (int i = 0; i < section.exportCount(); i++) {
      Export e = section.getExport(i);
      exports.add(e.name());
    }
    assertThat(exports)
        .contains(
            "_initialize",
            "proxy_abi_version_0_2_1",
            "proxy_on_memory_allocate",
            "memory",
            "proxy_on_context_create",
            "proxy_on_vm_start",
            "proxy_on_configure",
            "proxy_on_tick",
            "proxy_on_http_call_response",
            "proxy_on_request_headers",
            "proxy_on_response_headers",
            "proxy_on_done",
            "proxy_on_delete");
  }

  @Test
  void memoryHasNoMaximumSoTheAllocatorCanGrowPastTeaVmsHeap() {
    WasmModule module = Parser.parse(HfiFilterWasm.bytes());
    var limits = module.memorySection().orElseThrow().getMemory(0).limits();
    assertThat(limits.maximumPages()).isGreaterThanOrEqualTo(65536);
  }

  @Test
  void hostWritesPastTeaVmsHeapWork() throws Exception {
    // Request headers of 4 MiB do not fit under TeaVM's heap limit plus the first arena page: the
    // allocator must grow memory for the host to write them, and the filter must still read them.
    String big = "x".repeat(4 << 20);
    try (FilterHost host = new FilterHost(FilterAbortIT.CONFIG, Engine.BUILD_TIME_COMPILED)) {
      host.nextCall()
          .ruleSet(
              1,
              "{\"version\":1,\"rules\":[{\"policy\":\"big\",\"headers\":[{\"name\":\"x-big\","
                  + "\"prefix\":\"xxx\"}],\"abort\":{\"httpStatus\":503}}]}");
      host.awaitAck(1);
      Result r = host.request(":path", "/", "x-big", big);
      assertThat(r.response.status()).isEqualTo(503);
      assertThat(host.request(":path", "/", "x-big", "y" + big).passed()).isTrue();
      assertThat(host.metric("hfi.filter.errors_total")).isZero();
    }
  }
}
