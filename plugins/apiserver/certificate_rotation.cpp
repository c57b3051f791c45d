#include "certificate_rotation.h"

#include <spdlog/spdlog.h>

namespace ukube::apiserver {

CertificateRotation::CertificateRotation(std::filesystem::path dir, std::vector<std::string> extra_names,
                                         std::chrono::seconds period, std::shared_ptr<spdlog::logger> log,
                                         OnReissue on_reissue)
    : dir_(std::move(dir)),
      extra_names_(std::move(extra_names)),
      period_(period),
      log_(std::move(log)),
      on_reissue_(std::move(on_reissue)) {
  on_reissue_(pki::ensure_cluster_pki(dir_, {.extra_names = extra_names_}));
  thread_ = std::thread([this] { run(); });
}

CertificateRotation::~CertificateRotation() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CertificateRotation::run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      pki::ClusterPki checked = pki::ensure_cluster_pki(dir_, {.extra_names = extra_names_});
      if (!checked.reissued.empty()) on_reissue_(checked);
    } catch (const std::exception& e) {
      // The certificates in use stay valid for months past the renewal point; keep
      // serving them and say loudly what needs fixing.
      log_->error("cannot renew the certificates in {}: {}", dir_.string(), e.what());
    }
    lock.lock();
  }
}

}  // namespace ukube::apiserver
