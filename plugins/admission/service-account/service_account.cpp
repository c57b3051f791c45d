#include "service_account.h"

#include <spdlog/logger.h>

#include <random>
#include <set>
#include <thread>

#include "ukube/informer_factory.h"

namespace ukube::admission {
namespace {

constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr int kDefaultAccountLookups = 10;
constexpr const char* kMirrorPodAnnotation = "kubernetes.io/config.mirror";
constexpr const char* kEnforceMountableSecrets = "kubernetes.io/enforce-mountable-secrets";
constexpr const char* kVolumePrefix = "kube-api-access-";

// names.SimpleNameGenerator: five characters of upstream's alphabet.
std::string generate_volume_name() {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string name = kVolumePrefix;
  for (int i = 0; i < 5; ++i) name += kAlphabet[rng() % kAlphabet.size()];
  return name;
}

bool is_mirror(const json::object& pod) {
  const auto* annotations = object_at(pod, {"metadata", "annotations"});
  return annotations && annotations->contains(kMirrorPodAnnotation);
}

std::optional<bool> bool_at(const json::object& o, std::initializer_list<std::string_view> path) {
  const json::value* v = value_at(o, path);
  if (v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

// podutil.VisitPodSecretNames: every secret a pod spec names.
std::vector<std::string> secret_names(const json::object& spec) {
  std::vector<std::string> names;
  auto add = [&](std::string name) {
    if (!name.empty()) names.push_back(std::move(name));
  };
  if (const auto* pulls = array_at(spec, {"imagePullSecrets"}))
    for (const auto& p : *pulls)
      if (p.is_object()) add(string_at(p.get_object(), {"name"}));
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const auto* containers = array_at(spec, {list});
    if (!containers) continue;
    for (const auto& c : *containers) {
      if (!c.is_object()) continue;
      if (const auto* from = array_at(c.get_object(), {"envFrom"}))
        for (const auto& f : *from)
          if (f.is_object()) add(string_at(f.get_object(), {"secretRef", "name"}));
      if (const auto* env = array_at(c.get_object(), {"env"}))
        for (const auto& e : *env)
          if (e.is_object()) add(string_at(e.get_object(), {"valueFrom", "secretKeyRef", "name"}));
    }
  }
  if (const auto* volumes = array_at(spec, {"volumes"})) {
    for (const auto& v : *volumes) {
      if (!v.is_object()) continue;
      const auto& volume = v.get_object();
      add(string_at(volume, {"secret", "secretName"}));
      add(string_at(volume, {"azureFile", "secretName"}));
      for (const char* source : {"cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos"})
        add(string_at(volume, {source, "secretRef", "name"}));
      add(string_at(volume, {"csi", "nodePublishSecretRef", "name"}));
      if (const auto* sources = array_at(volume, {"projected", "sources"}))
        for (const auto& s : *sources)
          if (s.is_object()) add(string_at(s.get_object(), {"secret", "name"}));
    }
  }
  return names;
}

std::set<std::string> names_in(const json::object& account, const char* list) {
  std::set<std::string> out;
  if (const auto* items = array_at(account, {list}))
    for (const auto& item : *items)
      if (item.is_object()) out.insert(string_at(item.get_object(), {"name"}));
  return out;
}

// limitSecretReferences: the first secret the pod names that its account does not list.
std::string secret_reference_error(const json::object& account, const json::object& spec) {
  std::string sa = name_of(account);
  auto mountable = names_in(account, "secrets");
  if (const auto* volumes = array_at(spec, {"volumes"}))
    for (const auto& v : *volumes) {
      const auto* secret = v.is_object() ? object_at(v.get_object(), {"secret"}) : nullptr;
      if (!secret) continue;
      std::string name = string_at(*secret, {"secretName"});
      if (!mountable.count(name))
        return "volume with secret.secretName=\"" + name + "\" is not allowed because service account " + sa +
               " does not reference that secret";
    }
  for (const char* list : {"initContainers", "containers"}) {
    std::string what = std::string_view(list) == "initContainers" ? "init container " : "container ";
    const auto* containers = array_at(spec, {list});
    if (!containers) continue;
    for (const auto& c : *containers) {
      if (!c.is_object()) continue;
      std::string container = string_at(c.get_object(), {"name"});
      if (const auto* env = array_at(c.get_object(), {"env"}))
        for (const auto& e : *env) {
          if (!e.is_object()) continue;
          const auto* ref = object_at(e.get_object(), {"valueFrom", "secretKeyRef"});
          if (!ref || mountable.count(string_at(*ref, {"name"}))) continue;
          return what + container + " with envVar " + string_at(e.get_object(), {"name"}) +
                 " referencing secret.secretName=\"" + string_at(*ref, {"name"}) +
                 "\" is not allowed because service account " + sa + " does not reference that secret";
        }
      if (const auto* from = array_at(c.get_object(), {"envFrom"}))
        for (const auto& f : *from) {
          const auto* ref = f.is_object() ? object_at(f.get_object(), {"secretRef"}) : nullptr;
          if (!ref || mountable.count(string_at(*ref, {"name"}))) continue;
          return what + container + " with envFrom referencing secret.secretName=\"" +
                 string_at(*ref, {"name"}) + "\" is not allowed because service account " + sa +
                 " does not reference that secret";
        }
    }
  }
  auto pulls = names_in(account, "imagePullSecrets");
  if (const auto* refs = array_at(spec, {"imagePullSecrets"}))
    for (size_t i = 0; i < refs->size(); ++i) {
      std::string name = (*refs)[i].is_object() ? string_at((*refs)[i].get_object(), {"name"}) : "";
      if (!pulls.count(name))
        return "imagePullSecrets[" + std::to_string(i) + "].name=\"" + name +
               "\" is not allowed because service account " + sa + " does not reference that imagePullSecret";
    }
  return {};
}

bool enforces_mountable_secrets(const json::object& account) {
  std::string v = string_at(account, {"metadata", "annotations", kEnforceMountableSecrets});
  // strconv.ParseBool's true spellings.
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

// shouldAutomount: the pod's choice, else the account's, else yes.
bool should_automount(const json::object& account, const json::object& spec) {
  if (auto pod = bool_at(spec, {"automountServiceAccountToken"})) return *pod;
  if (auto sa = bool_at(account, {"automountServiceAccountToken"})) return *sa;
  return true;
}

void mount_token(json::object& spec) {
  std::string volume_name;
  bool has_volume = false;
  if (const auto* volumes = array_at(spec, {"volumes"}))
    for (const auto& v : *volumes) {
      std::string name = v.is_object() ? string_at(v.get_object(), {"name"}) : "";
      if (name.rfind(kVolumePrefix, 0) == 0) {
        volume_name = name;
        has_volume = true;
        break;
      }
    }
  if (volume_name.empty()) volume_name = generate_volume_name();
  json::object mount{{"name", volume_name}, {"readOnly", true}, {"mountPath", kTokenMountPath}};
  bool needs_volume = false;
  for (const char* list : {"initContainers", "containers"}) {
    auto* containers = spec.if_contains(list);
    if (!containers || !containers->is_array()) continue;
    for (auto& c : containers->get_array()) {
      if (!c.is_object()) continue;
      auto& mounts = child_array(c.get_object(), "volumeMounts");
      bool mounted = false;
      for (const auto& m : mounts)
        if (m.is_object() && string_at(m.get_object(), {"mountPath"}) == kTokenMountPath) mounted = true;
      if (mounted) continue;
      mounts.push_back(mount);
      needs_volume = true;
    }
  }
  if (!has_volume && needs_volume)
    child_array(spec, "volumes").push_back(ServiceAccountAdmission::token_volume(volume_name));
}

}  // namespace

ServiceAccountAdmission::ServiceAccountAdmission(std::shared_ptr<Client> client,
                                                 std::shared_ptr<Informer> accounts)
    : client_(std::move(client)), accounts_(std::move(accounts)) {}

json::object ServiceAccountAdmission::token_volume(const std::string& name) {
  json::array sources{
      json::object{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
      json::object{{"configMap",
                    {{"name", kRootCAConfigMap},
                     {"items", json::array{json::object{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}},
      json::object{
          {"downwardAPI",
           {{"items", json::array{json::object{
                          {"path", "namespace"},
                          {"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}}}}}}};
  return json::object{{"name", name}, {"projected", {{"defaultMode", 420}, {"sources", std::move(sources)}}}};
}

ObjectPtr ServiceAccountAdmission::account(const AdmissionRequest& r, const std::string& name,
                                           bool mutating) {
  if (!accounts_->wait_for_sync(kReadyWait)) throw forbidden(r, "not yet ready to handle request", mutating);
  if (ObjectPtr sa = accounts_->get(r.namespace_ + "/" + name)) return sa;
  std::string prefix = "error looking up service account " + r.namespace_ + "/" + name + ": ";
  auto live = [&]() -> ObjectPtr {
    try {
      return client_->get(kServiceAccounts, r.namespace_, name);
    } catch (const ApiError& e) {
      if (is_not_found(e)) return nullptr;
      throw forbidden(r, prefix + e.what(), mutating);
    }
  };
  // The "default" account is the controller's to create, maybe moments after its
  // namespace: as upstream, it is looked up ten times, 100 to 200 ms apart.
  const int attempts = name == "default" ? kDefaultAccountLookups : 1;
  thread_local std::mt19937 rng{std::random_device{}()};
  const auto interval = std::chrono::milliseconds(100 + rng() % 100);
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) std::this_thread::sleep_for(interval);
    if (ObjectPtr sa = live()) return sa;
  }
  throw forbidden(r, prefix + "serviceaccount \"" + name + "\" not found", mutating);
}

void ServiceAccountAdmission::check(const AdmissionRequest& r, const json::object& pod, bool mutating) {
  const json::object empty;
  const json::object* spec = object_at(pod, {"spec"});
  if (!spec) spec = &empty;
  std::string account_name = string_at(*spec, {"serviceAccountName"});
  if (is_mirror(pod)) {
    // Judged in the mutating phase only: the built-in pod defaulting, which the kernel runs
    // between the phases, names the "default" account itself.
    if (!account_name.empty() && mutating)
      throw forbidden(r, "a mirror pod may not reference service accounts", mutating);
    if (!secret_names(*spec).empty()) throw forbidden(r, "a mirror pod may not reference secrets", mutating);
    if (const auto* volumes = array_at(*spec, {"volumes"}))
      for (const auto& v : *volumes)
        if (const auto* sources =
                v.is_object() ? array_at(v.get_object(), {"projected", "sources"}) : nullptr)
          for (const auto& s : *sources)
            if (s.is_object() && s.get_object().contains("serviceAccountToken"))
              throw forbidden(r, "a mirror pod may not use ServiceAccountToken volume projections", mutating);
    return;
  }
  if (account_name.empty())
    throw forbidden(r, "no service account specified for pod " + r.namespace_ + "/" + name_of(pod), mutating);
  ObjectPtr sa = account(r, account_name, mutating);
  if (!enforces_mountable_secrets(*sa)) return;
  std::string error = secret_reference_error(*sa, *spec);
  if (!error.empty()) throw forbidden(r, error, mutating);
}

void ServiceAccountAdmission::admit(AdmissionRequest& r) {
  if (!is_pod(r) || r.operation != AdmissionOperation::Create) return;
  json::object& pod = *r.object;
  // Mirror pods are the kubelet's copies of static pods: never changed, only checked.
  if (is_mirror(pod)) return check(r, pod, true);
  json::object& spec = child(pod, "spec");
  if (string_at(spec, {"serviceAccountName"}).empty()) {
    // v1's deprecated spec.serviceAccount still names the account when it is alone.
    std::string deprecated = string_at(spec, {"serviceAccount"});
    spec["serviceAccountName"] = deprecated.empty() ? "default" : deprecated;
  }
  std::string account_name = string_at(spec, {"serviceAccountName"});
  ObjectPtr sa = account(r, account_name, true);
  if (should_automount(*sa, spec)) mount_token(spec);
  const auto* pulls = array_at(spec, {"imagePullSecrets"});
  if (!pulls || pulls->empty()) {
    json::array copied;
    if (const auto* listed = array_at(*sa, {"imagePullSecrets"}))
      for (const auto& p : *listed)
        if (p.is_object()) copied.push_back(json::object{{"name", string_at(p.get_object(), {"name"})}});
    if (!copied.empty()) spec["imagePullSecrets"] = std::move(copied);
  }
  check(r, pod, true);
}

void ServiceAccountAdmission::validate(const AdmissionRequest& r) {
  if (!r.object || !r.type || !r.type->group.empty() || r.type->plural != "pods") return;
  if (r.operation == AdmissionOperation::Update && r.subresource == "ephemeralcontainers") {
    const json::object* spec = object_at(*r.object, {"spec"});
    std::string account_name = spec ? string_at(*spec, {"serviceAccountName"}) : "";
    if (account_name.empty())
      throw forbidden(r, "no service account specified for pod " + r.namespace_ + "/" + name_of(*r.object),
                      false);
    ObjectPtr sa = account(r, account_name, false);
    if (!enforces_mountable_secrets(*sa) || !spec) return;
    auto mountable = names_in(*sa, "secrets");
    if (const auto* containers = array_at(*spec, {"ephemeralContainers"}))
      for (const auto& c : *containers) {
        if (!c.is_object()) continue;
        std::string container = string_at(c.get_object(), {"name"});
        if (const auto* env = array_at(c.get_object(), {"env"}))
          for (const auto& e : *env) {
            const auto* ref =
                e.is_object() ? object_at(e.get_object(), {"valueFrom", "secretKeyRef"}) : nullptr;
            if (!ref || mountable.count(string_at(*ref, {"name"}))) continue;
            throw forbidden(r,
                            "ephemeral container " + container + " with envVar " +
                                string_at(e.get_object(), {"name"}) + " referencing secret.secretName=\"" +
                                string_at(*ref, {"name"}) + "\" is not allowed because service account " +
                                name_of(*sa) + " does not reference that secret",
                            false);
          }
        if (const auto* from = array_at(c.get_object(), {"envFrom"}))
          for (const auto& f : *from) {
            const auto* ref = f.is_object() ? object_at(f.get_object(), {"secretRef"}) : nullptr;
            if (!ref || mountable.count(string_at(*ref, {"name"}))) continue;
            throw forbidden(r,
                            "ephemeral container " + container +
                                " with envFrom referencing secret.secretName=\"" + string_at(*ref, {"name"}) +
                                "\" is not allowed because service account " + name_of(*sa) +
                                " does not reference that secret",
                            false);
          }
      }
    return;
  }
  if (!r.subresource.empty() || r.operation != AdmissionOperation::Create) return;
  check(r, *r.object, false);
}

void ServiceAccountPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  for (const auto& gvr : {kServiceAccounts, kPods})
    if (!ctx.types().find(gvr))
      throw std::runtime_error("the type " + gvr.to_string() +
                               " is not registered; enable ukube.types.v1.builtin in the config");
  accounts_ = ctx.informers().informer(kServiceAccounts);
  join_chain(ctx, std::make_shared<ServiceAccountAdmission>(ctx.client(apiserver_identity()), accounts_));
}

void ServiceAccountPlugin::start() {
  if (!accounts_->wait_for_sync(kReadyWait) && log_) log_->warn("service accounts have not been listed yet");
}

}  // namespace ukube::admission
