#include "webhook_plugin.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "ukube/https/curl_transport.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/types.h"

namespace ukube::webhook {
namespace {

constexpr auto kSyncTimeout = std::chrono::seconds(60);
const GroupVersionResource kMutating{"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations"};
const GroupVersionResource kValidating{"admissionregistration.k8s.io", "v1",
                                       "validatingwebhookconfigurations"};
using machinery::kNamespaces;

std::vector<Webhook> collect(const Informer& informer, bool mutating) {
  std::vector<ObjectPtr> configs = informer.list();
  // Upstream orders configurations by name so every API server calls them alike.
  std::sort(configs.begin(), configs.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) { return object_key(*a) < object_key(*b); });
  std::vector<Webhook> out;
  for (const auto& c : configs) {
    auto hooks = parse_configuration(*c, mutating);
    out.insert(out.end(), std::make_move_iterator(hooks.begin()), std::make_move_iterator(hooks.end()));
  }
  return out;
}

}  // namespace

WebhookAdmission::WebhookAdmission(Dispatcher dispatcher) : dispatcher_(std::move(dispatcher)) {}

void WebhookAdmission::set_hooks(std::shared_ptr<const HookSet> hooks) {
  std::lock_guard lock(mutex_);
  hooks_ = std::move(hooks);
}

std::shared_ptr<const HookSet> WebhookAdmission::hooks() const {
  std::lock_guard lock(mutex_);
  return hooks_;
}

void WebhookAdmission::admit(AdmissionRequest& request) {
  auto set = hooks();  // one consistent set for the whole request, even if configs change meanwhile
  if (!set->mutating.empty()) dispatcher_.admit(request, set->mutating);
}

void WebhookAdmission::validate(const AdmissionRequest& request) {
  auto set = hooks();
  if (!set->validating.empty()) dispatcher_.validate(request, set->validating);
}

WebhookPlugin::~WebhookPlugin() {
  stop();
  // The admission code lives in this library, which may be unloaded once we are gone.
  if (auth_) auth_->remove(uri_);
}

void WebhookPlugin::init(InitContext& ctx) {
  uri_ = ctx.uri();
  log_ = ctx.logger();
  for (const auto& gvr : {kMutating, kValidating, kNamespaces})
    if (!ctx.types().find(gvr))
      throw std::runtime_error("the admission webhook plugin needs " + gvr.to_string() +
                               ", which is not registered; enable ukube.types.v1.builtin in the config");
  mutating_ = ctx.informers().informer(kMutating);
  validating_ = ctx.informers().informer(kValidating);
  namespaces_ = ctx.informers().informer(kNamespaces);

  // Namespace labels come from the cache: a lookup through the pipeline from inside
  // admission would re-enter the request chain.
  NamespaceLabels namespace_labels =
      [informer = namespaces_.get()](const std::string& name) -> std::optional<Labels> {
    ObjectPtr ns = informer->get(name);
    if (!ns) return std::nullopt;
    return machinery::string_map_at(*ns, {"metadata", "labels"});
  };
  admission_ = std::make_shared<WebhookAdmission>(
      Dispatcher(std::make_shared<https::CurlTransport>(), std::move(namespace_labels), log_));
  // After admission_ exists: the shared informers may call these right away.
  for (Informer* informer : {mutating_.get(), validating_.get()})
    registrations_.push_back(informer->add_handlers(
        {[this](const ObjectPtr&) { rebuild(); }, [this](const ObjectPtr&, const ObjectPtr&) { rebuild(); },
         [this](const ObjectPtr&) { rebuild(); }}));
  auth_ = &ctx.auth();
  auth_->add_admission(uri_, admission_);
}

void WebhookPlugin::start() {
  for (Informer* informer : {namespaces_.get(), mutating_.get(), validating_.get()})
    if (!informer->wait_for_sync(kSyncTimeout))
      throw std::runtime_error("could not list the webhook configurations and namespaces within " +
                               std::to_string(kSyncTimeout.count()) + "s; check the daemon log for why");
  rebuild();
  auto set = admission_->hooks();
  if (log_)
    log_->info("admission webhooks ready: {} mutating, {} validating", set->mutating.size(),
               set->validating.size());
}

void WebhookPlugin::stop() {
  // The shared informers run on for other plugins; ours stop calling us.
  registrations_.clear();
}

void WebhookPlugin::rebuild() {
  std::lock_guard lock(rebuild_mutex_);
  auto set = std::make_shared<HookSet>();
  set->mutating = collect(*mutating_, true);
  set->validating = collect(*validating_, false);
  admission_->set_hooks(std::move(set));
}

}  // namespace ukube::webhook
