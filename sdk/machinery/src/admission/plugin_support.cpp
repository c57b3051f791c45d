#include "ukube/admission/plugin_support.h"

#include <set>

namespace ukube::admission {

bool is_resource(const AdmissionRequest& r, std::string_view group, std::string_view plural,
                 std::string_view subresource) {
  return r.type && r.type->group == group && r.type->plural == plural && r.subresource == subresource;
}

const char* operation_name(AdmissionOperation op) {
  switch (op) {
    case AdmissionOperation::Create: return "CREATE";
    case AdmissionOperation::Update: return "UPDATE";
    case AdmissionOperation::Delete: return "DELETE";
    case AdmissionOperation::Connect: return "CONNECT";
  }
  return "";
}

bool is_pod(const AdmissionRequest& r) {
  return is_resource(r, "", "pods") && r.object;
}

std::string name_in_message(const AdmissionRequest& r, bool mutating) {
  const json::object* object = r.object ? r.object : r.old_object;
  std::string generate = object ? meta_string(*object, "generateName") : std::string();
  std::string name = r.operation == AdmissionOperation::Create && object ? name_of(*object) : r.name;
  if (name.empty()) name = r.name;
  if (r.operation == AdmissionOperation::Create && mutating && !generate.empty()) {
    // The kernel generates names before admission: prefix (at most 58 characters) + 5.
    std::string prefix = generate.substr(0, 58);
    if (name.size() == prefix.size() + 5 && name.compare(0, prefix.size(), prefix) == 0) return generate;
  }
  if (!name.empty()) return name;
  return generate.empty() ? "Unknown" : generate;
}

ApiError forbidden(const AdmissionRequest& r, const std::string& message, bool mutating) {
  std::string gr = r.type ? r.type->group_resource() : std::string();
  std::string name = name_in_message(r, mutating);
  ApiError e = ApiError::forbidden(gr.empty() ? "forbidden: " + message
                                              : gr + " \"" + name + "\" is forbidden: " + message);
  if (r.type) {
    e.group = r.type->group;
    e.kind = r.type->plural;
  }
  e.name = name;
  return e;
}

std::string aggregate(const std::vector<std::string>& messages) {
  std::set<std::string> seen;
  std::string out;
  for (const auto& m : messages) {
    if (!seen.insert(m).second) continue;
    if (seen.size() > 1) out += ", ";
    out += m;
  }
  return seen.size() > 1 ? "[" + out + "]" : out;
}

AdmissionPluginShell::~AdmissionPluginShell() {
  leave_chain();
}

void AdmissionPluginShell::stop() {
  leave_chain();
  stop_workers();
}

void AdmissionPluginShell::join_chain(InitContext& ctx, std::shared_ptr<AdmissionPlugin> plugin) {
  chains_ = &ctx.auth();
  name_ = ctx.uri();
  chains_->add_admission(name_, std::move(plugin));
}

void AdmissionPluginShell::leave_chain() {
  if (chains_) chains_->remove(name_);
  chains_ = nullptr;
}

}  // namespace ukube::admission
