#include "kernel/daemon/daemon.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <csignal>

#include "kernel/auth/auth_chains.h"
#include "kernel/host/host.h"
#include "kernel/pipeline/local_client.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/registry/type_registry.h"
#include "kernel/store/decrypting_sink.h"
#include "kernel/store/embedded_store.h"
#include "kernel/store/encrypting_store.h"
#include "kernel/store/forwarding_sink.h"
#include "kernel/watch/history_watch_bus.h"

namespace ukube::daemon {
namespace {

host::DaemonConfig load(const DaemonOptions& options) {
  host::DaemonConfig config = host::load_config(options.config_file);
  if (options.data_dir) config.data_dir = *options.data_dir;
  if (options.listen) config.listen = *options.listen;
  if (options.log_level) config.log_level = *options.log_level;
  return config;
}

void apply_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off")
    throw std::runtime_error("unknown log level \"" + level +
                             "\": use one of trace, debug, info, warn, error, critical, off");
  spdlog::set_level(parsed);
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  // Signals are taken synchronously by the main thread; block them before any thread
  // starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto log = spdlog::stdout_color_mt("ukube");
  spdlog::set_default_logger(log);
  host::DaemonConfig config = load(options);
  apply_log_level(config.log_level);

  std::filesystem::create_directories(config.data_dir);
  store::ForwardingSink sink;
  // Encryption at rest, when configured: values are sealed on their way into the store
  // and opened on every way out (reads, write results, and the events the bus sees).
  std::shared_ptr<const store::ValueEncryption> encryption;
  if (!config.encryption_config.empty()) {
    encryption =
        std::make_shared<store::ValueEncryption>(store::load_encryption_config(config.encryption_config));
    for (const auto& line : encryption->describe())
      log->info("encryption at rest ({}): {}", config.encryption_config.string(), line);
  }
  store::DecryptingSink decrypting(sink, encryption, log);
  store::EmbeddedStoreOptions store_options;
  store_options.data_dir = config.data_dir / "store";
  store_options.sink = encryption ? static_cast<store::EventSink*>(&decrypting) : &sink;
  store_options.logger = log;
  auto store = store::EmbeddedStore::open(store_options);
  std::unique_ptr<store::Store> encrypted;
  if (encryption) encrypted = std::make_unique<store::EncryptingStore>(*store, encryption, log);
  store::Store& objects = encrypted ? *encrypted : *store;
  watch::HistoryWatchBus bus(store->current_revision());
  sink.target = &bus;
  registry::InMemoryTypeRegistry types;
  auth::KernelAuthChains auth;
  pipeline::KernelPipeline pipeline(objects, bus, types, auth);

  host::KernelServices services;
  services.store = &objects;
  services.watch_bus = &bus;
  services.types = &types;
  services.auth = &auth;
  services.pipeline = &pipeline;
  services.client_factory = [&pipeline](const UserInfo& user) -> std::shared_ptr<Client> {
    return std::make_shared<pipeline::LocalClient>(pipeline, user);
  };
  services.cache_client_factory = [&pipeline](const UserInfo& user) -> std::shared_ptr<Client> {
    return std::make_shared<pipeline::LocalClient>(pipeline, user,
                                                   pipeline::LocalClient::Reads::WithoutManagedFields);
  };

  auto host = host::Host::create(config, services, log);
  host->start();
  auth.warn_if_open(*log);
  auto rows = host->describe();
  log->info("ukube is up: data dir {}, store at revision {}, {} plugin(s) running", config.data_dir.string(),
            store->current_revision(), std::count_if(rows.begin(), rows.end(), [](const PluginStatus& r) {
              return r.state == "running";
            }));

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log->info("SIGHUP: re-reading {}", options.config_file.string());
      try {
        // The host logs what the reload changed; only a partial failure needs saying here.
        host::ReloadResult result = host->reload(load(options));
        if (!result.ok()) log->error("reload partly applied ({}): {}", result.summary(), result.error);
      } catch (const std::exception& e) {
        log->error("{}", e.what());  // says the reload was refused and nothing changed
      }
      continue;
    }
    log->info("{}: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    break;
  }
  host->stop();
  bus.shutdown();
  store->close();
  log->info("stopped cleanly at revision {}", store->current_revision());
  return 0;
}

}  // namespace ukube::daemon
