#include "default_toleration_seconds.h"

namespace ukube::admission {

void DefaultTolerationSeconds::admit(AdmissionRequest& r) {
  if (!is_pod(r)) return;
  if (r.operation != AdmissionOperation::Create && r.operation != AdmissionOperation::Update) return;
  json::object& spec = child(*r.object, "spec");
  bool not_ready = false, unreachable = false;
  if (const auto* tolerations = array_at(spec, {"tolerations"}))
    for (const auto& t : *tolerations) {
      if (!t.is_object()) continue;
      std::string key = string_at(t.get_object(), {"key"});
      std::string effect = string_at(t.get_object(), {"effect"});
      if (!effect.empty() && effect != "NoExecute") continue;
      if (key.empty() || key == "node.kubernetes.io/not-ready") not_ready = true;
      if (key.empty() || key == "node.kubernetes.io/unreachable") unreachable = true;
    }
  auto toleration = [&](const char* key) {
    return json::object{
        {"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", seconds_}};
  };
  if (!not_ready) child_array(spec, "tolerations").push_back(toleration("node.kubernetes.io/not-ready"));
  if (!unreachable) child_array(spec, "tolerations").push_back(toleration("node.kubernetes.io/unreachable"));
}

DefaultTolerationSecondsPlugin::~DefaultTolerationSecondsPlugin() {
  stop();
}

void DefaultTolerationSecondsPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  join_chain(ctx, std::make_shared<DefaultTolerationSeconds>());
}

}  // namespace ukube::admission
