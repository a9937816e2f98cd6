// Clears the x87/MMX state that LiteSVM 0.8's sBPF JIT (solana-sbpf 0.13)
// leaves dirty: its callx path spills a register into MM0 and never executes
// EMMS, so the x87 register stack stays full when control returns to Node.
// V8 then computes `%` on doubles as NaN and Node's own long-double maths can
// size a hash table absurdly (std::bad_alloc). LiteSVM fixed it upstream after
// 0.8 (issue #396, "clear x87 FPU state after transaction execution").
// tests/support/x87-guard.ts wraps every LiteSvm method with `call` and
// installs the GC hook. Built by scripts/build-x87guard.sh.
#include <node_api.h>
#include <v8.h>
#include <stdint.h>

static inline void do_emms() {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ volatile("emms" ::: "memory");
#endif
}

static uint32_t abridged_tag_word() {
#if defined(__x86_64__)
  alignas(16) unsigned char buf[512];
  __asm__ volatile("fxsave %0" : "=m"(buf));
  return buf[4];  // FXSAVE abridged FTW: bit i set => x87 reg i non-empty. 0 == clean.
#else
  return 0;
#endif
}

static napi_value Emms(napi_env env, napi_callback_info) { do_emms(); return nullptr; }

static napi_value TagWord(napi_env env, napi_callback_info) {
  napi_value r; napi_create_uint32(env, abridged_tag_word(), &r); return r;
}

// Calls fn.apply(thisArg, args) and executes EMMS right after the native call returns.
static napi_value Call(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3]; napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t n = 0; napi_get_array_length(env, argv[2], &n);
  napi_value args[8]; if (n > 8) n = 8;
  for (uint32_t i = 0; i < n; i++) napi_get_element(env, argv[2], i, &args[i]);
  napi_value result = nullptr;
  napi_status st = napi_call_function(env, argv[1], argv[0], n, args, &result);
  do_emms();
  if (st != napi_ok) return nullptr;  // pending JS exception propagates
  return result;
}

static void GcPrologue(v8::Isolate*, v8::GCType, v8::GCCallbackFlags) { do_emms(); }
// Per-isolate (works in worker_threads too): run EMMS at the start of every GC.
static void RemoveHook(void* iso) { static_cast<v8::Isolate*>(iso)->RemoveGCPrologueCallback(GcPrologue); }
static napi_value InstallGcHook(napi_env env, napi_callback_info) {
  void* data = nullptr; napi_get_instance_data(env, &data);
  if (data == nullptr) {
    v8::Isolate* iso = v8::Isolate::GetCurrent();
    iso->AddGCPrologueCallback(GcPrologue);
    napi_set_instance_data(env, iso, nullptr, nullptr);
    napi_add_env_cleanup_hook(env, RemoveHook, iso);
  }
  return nullptr;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor d[] = {
    {"emms", 0, Emms, 0, 0, 0, napi_default, 0},
    {"tagWord", 0, TagWord, 0, 0, 0, napi_default, 0},
    {"call", 0, Call, 0, 0, 0, napi_default, 0},
    {"installGcHook", 0, InstallGcHook, 0, 0, 0, napi_default, 0},
  };
  napi_define_properties(env, exports, 4, d);
  return exports;
}
