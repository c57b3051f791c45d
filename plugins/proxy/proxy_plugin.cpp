#include "proxy_plugin.h"

#include <spdlog/logger.h>

#include <fstream>
#include <stdexcept>

#include "proxier.h"
#include "proxy/config.pb.h"
#include "settings.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"
#include "ukube/net/metrics_server.h"
#include "ukube/node/nft.h"
#include "ukube/node/spawn.h"

namespace ukube::proxy {

namespace {

// Kernel settings Service traffic needs; a failure is logged, not fatal: the rest works.
void set_sysctl(const std::string& path, const char* value, spdlog::logger* log) {
  std::ofstream out("/proc/sys/" + path);
  out << value;
  out.flush();
  if (!out && log) log->warn("proxy: cannot set {} to {}", path, value);
}

}  // namespace

ProxyPlugin::ProxyPlugin() = default;
ProxyPlugin::~ProxyPlugin() {
  stop();
}

void ProxyPlugin::init(InitContext& ctx) {
  ProxySettings settings = settings_from(ctx.config_as<ProxyConfig>());
  if (std::string why = why_proxy_cannot_run(settings); !why.empty())
    throw std::runtime_error(why + "; without the proxy, Service addresses lead nowhere");
  auto log = ctx.logger();
  log_ = log;
  metrics_address_ = settings.metrics_address;
  // Replies from a pod to a pod on the same bridge must pass the NAT to be un-DNATed.
  set_sysctl("net/bridge/bridge-nf-call-iptables", "1", log.get());
  if (settings.localhost_node_ports) set_sysctl("net/ipv4/conf/all/route_localnet", "1", log.get());
  if (log)
    log->info("proxy: Services of node {} in nftables table ip {} (pods {}, services {})", settings.node_name,
              settings.ruleset.table, settings.ruleset.cluster_cidr, settings.ruleset.service_cidr);
  auto status_client = ctx.client(
      UserInfo{"system:serviceaccount:kube-system:service-controller",
               "",
               {"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
               {}});
  ConntrackDelete delete_flows;
  if (auto conntrack = runtime::node::find_executable("conntrack", "/usr/sbin:/usr/bin:/sbin:/bin")) {
    delete_flows = [conntrack = *conntrack](const ConntrackFilter& filter) {
      runtime::node::SpawnOptions options;
      options.argv = {conntrack};
      for (auto& arg : conntrack_delete_args(filter)) options.argv.push_back(std::move(arg));
      const runtime::node::CapturedRun run = runtime::node::run_captured(options);
      // conntrack says "0 flow entries have been deleted" with status 1 when none matched.
      if (run.exit_code != 0 && run.err.find(" 0 flow entries") == std::string::npos)
        throw std::runtime_error("conntrack failed: " + (run.err.empty() ? run.out : run.err));
    };
  } else if (log) {
    log->warn(
        "proxy: conntrack is not installed, so UDP flows to endpoints that went away are not cleared "
        "(apt-get install conntrack)");
  }
  auto& informers = ctx.informers();
  proxier_ = std::make_unique<Proxier>(
      settings, informers.informer(machinery::kServices), informers.informer(machinery::kEndpointSlices),
      runtime::node::nft_runner(settings.nft_path), std::move(status_client), log, std::move(delete_flows));
}

void ProxyPlugin::start() {
  proxier_->start();
  if (metrics_address_.empty()) return;
  Proxier* proxier = proxier_.get();
  try {
    metrics_ = std::make_unique<net::MetricsServer>(
        metrics_address_, [proxier] { return proxier->metrics_text(); },
        [proxier]() -> std::string {
          const SyncStats stats = proxier->stats();
          if (stats.last_failed) return "the last nftables sync failed; the whole table is being rewritten";
          if (stats.syncs == 0) return "no sync yet: waiting for Services and EndpointSlices to be listed";
          return "";
        });
    if (log_) log_->info("proxy: metrics at http://{}/metrics", metrics_address_);
  } catch (const std::exception& e) {
    // Traffic matters more than its figures: the proxy runs on without them.
    if (log_) log_->warn("proxy: {}; set metrics_address to a free one (or \"none\")", e.what());
  }
}

void ProxyPlugin::stop() {
  metrics_.reset();
  if (proxier_) proxier_->stop();
}

}  // namespace ukube::proxy
