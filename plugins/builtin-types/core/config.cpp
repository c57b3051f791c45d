// core/v1 ConfigMap, Secret and ServiceAccount: key rules, secret type rules, immutability.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"
#include "ukube/base64.h"
#include "ukube/errors.h"

namespace ukube::builtin {
namespace {

size_t map_size(const json::object& o, std::string_view key) {
  const auto* m = object_at(o, {key});
  return m ? m->size() : 0;
}

void check_keys(Errors& e, const json::object& o, std::string_view field) {
  const auto* m = object_at(o, {field});
  if (!m) return;
  for (const auto& kv : *m) {
    std::string_view key(kv.key().data(), kv.key().size());
    report(e, FieldPath(std::string(field)).key(key), key, config_key_errors(key));
  }
}

bool is_base64(std::string_view s) {
  size_t pad = 0;
  for (char c : s) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad || !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  }
  return pad <= 2 && s.size() % 4 == 0;
}

// `immutable: true` freezes data and the flag itself.
void check_immutable(Errors& e, const json::object& o, const json::object* old,
                     std::initializer_list<const char*> fields) {
  if (!old || !bool_at(*old, {"immutable"}).value_or(false)) return;
  for (const char* f : fields) {
    const auto* a = o.if_contains(f);
    const auto* b = old->if_contains(f);
    bool same = (a && !a->is_null()) == (b && !b->is_null()) && (!a || !b || *a == *b);
    if (!same) e.forbidden(FieldPath(f), "field is immutable when `immutable` is set");
  }
  if (!bool_at(o, {"immutable"}).value_or(false))
    e.forbidden(FieldPath("immutable"), "field is immutable when `immutable` is set");
}

void validate_secret(const json::object& o, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  check_keys(e, o, "data");
  const std::string type = string_at(o, {"type"});
  const auto* data = object_at(o, {"data"});
  if (data)
    for (const auto& kv : *data)
      if (!kv.value().is_string() || !is_base64(as_string(kv.value())))
        e.invalid(FieldPath("data").key(kv.key()), "\"<secret contents redacted>\"", "illegal base64 data");
  auto need_key = [&](const char* key) {
    if (!data || !data->contains(key)) e.required(FieldPath("data").key(key), "");
  };
  if (type == "kubernetes.io/service-account-token") {
    if (string_at(o, {"metadata", "annotations", "kubernetes.io/service-account.name"}).empty())
      e.required(FieldPath("metadata.annotations").key("kubernetes.io/service-account.name"), "");
  } else if (type == "kubernetes.io/dockercfg") {
    need_key(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    need_key(".dockerconfigjson");
  } else if (type == "kubernetes.io/basic-auth") {
    if (!data || (!data->contains("username") && !data->contains("password")))
      e.required(FieldPath("data").key("username"), "");
  } else if (type == "kubernetes.io/ssh-auth") {
    need_key("ssh-privatekey");
  } else if (type == "kubernetes.io/tls") {
    need_key("tls.crt");
    need_key("tls.key");
  }
  if (old) {
    std::string before = string_at(*old, {"type"});
    if (before != type) e.invalid(FieldPath("type"), quote(type), "field is immutable");
  }
  check_immutable(e, o, old, {"data"});
}

}  // namespace

TypeInfo configmaps_type() {
  TypeInfo t = make_type("", "v1", "ConfigMap", "configmaps", true, {"cm"});
  t.generation = TypeInfo::Generation::None;
  t.printer_columns = {name_column(), column("Data", "integer", "Number of keys."), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), map_size(o, "data") + map_size(o, "binaryData"), age_cell(o, now)};
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    check_keys(e, o, "data");
    check_keys(e, o, "binaryData");
    const auto* data = object_at(o, {"data"});
    const auto* binary = object_at(o, {"binaryData"});
    if (data && binary)
      for (const auto& kv : *data)
        if (binary->contains(kv.key()))
          e.invalid(FieldPath("data").key(kv.key()), quote(kv.key()),
                    "duplicate of key present in binaryData");
    check_immutable(e, o, old, {"data", "binaryData"});
  });
  using namespace schema;
  t.schema = share(resource("", "v1", "ConfigMap", "Configuration data for pods to consume.",
                            {{"data", string_map("UTF-8 values by key."), 2},
                             {"binaryData", map_of(bytes(), "Binary values by key, base64-encoded."), 3},
                             {"immutable", boolean("Forbids changes to the data once set."), 4, kPointer}}));
  return t;
}

TypeInfo secrets_type() {
  TypeInfo t = make_type("", "v1", "Secret", "secrets", true);
  t.generation = TypeInfo::Generation::None;
  t.printer_columns = {name_column(), column("Type", "string", "Type of the secret.", 0, ".type"),
                       column("Data", "integer", "Number of keys."), age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o), string_at(o, {"type"}), map_size(o, "data"), age_cell(o, now)};
  });
  t.selectable_fields.push_back({"type", [](const json::object& o) { return string_at(o, {"type"}); }});
  t.defaulters.push_back([](json::object& o) {
    set_default(o, "type", "Opaque");
    // stringData is write-only: it lands in data (base64) and is not stored itself.
    if (const auto* sd = object_at(o, {"stringData"})) {
      auto& data = child(o, "data");
      for (const auto& kv : *sd) data[kv.key()] = base64_encode(as_string(kv.value()));
      o.erase("stringData");
    }
  });
  t.validators.push_back(validate_secret);
  using namespace schema;
  t.schema = share(
      resource("", "v1", "Secret", "Sensitive data for pods to consume.",
               {{"data", map_of(bytes(), "Values by key, base64-encoded."), 2},
                {"stringData", string_map("Write-only plain-text values, merged into data."), 4},
                {"type", string("How the data is meant to be used, e.g. Opaque or kubernetes.io/tls."), 3},
                {"immutable", boolean("Forbids changes to the data once set."), 5, kPointer}}));
  return t;
}

namespace {

// authentication.k8s.io/v1 TokenRequest, the body and answer of serviceaccounts/token, with
// upstream's protobuf field numbers (kubectl create token sends protobuf from 1.32 on).
std::shared_ptr<const json::object> token_request_schema() {
  using namespace schema;
  Schema bound = object({{"kind", string("Pod, Secret or Node."), 1},
                         {"apiVersion", string("API version of the referent."), 2},
                         {"name", string("Name of the referent."), 3},
                         {"uid", string("UID of the referent."), 4}},
                        "The object the token is bound to: it is valid only while that object exists.");
  Schema spec = object({{"audiences", atomic_list(string(), "Who the token is for."), 1},
                        {"expirationSeconds", int64("Requested lifetime of the token."), 4, kPointer},
                        {"boundObjectRef", bound, 3, kPointer}});
  Schema status = object({{"token", string("The bearer token."), 1},
                          {"expirationTimestamp", date_time("When the token expires."), 2}});
  return share(resource("authentication.k8s.io", "v1", "TokenRequest",
                        "Requests a token for a ServiceAccount.",
                        {{"spec", spec, 2}, {"status", status, 3}}));
}

// Until a token issuer (ukube.authenticator.v1.serviceaccount) swaps in its own answer.
json::object no_token_issuer(EphemeralCall&) {
  throw ApiError(
      503, "ServiceUnavailable",
      "no ServiceAccount token issuer is enabled: add ukube.authenticator.v1.serviceaccount to the "
      "config");
}

}  // namespace

TypeInfo serviceaccounts_type() {
  TypeInfo t = make_type("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"});
  t.printer_columns = {name_column(), column("Secrets", "integer", "Number of secrets listed."),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    const auto* secrets = array_at(o, {"secrets"});
    return json::array{name_of(o), secrets ? secrets->size() : 0, age_cell(o, now)};
  });
  using namespace schema;
  t.schema = share(resource(
      "", "v1", "ServiceAccount", "An identity for processes that run in pods.",
      {{"secrets", map_list(object_reference(), {"name"}, "Secrets the account may use."), 2},
       {"imagePullSecrets",
        atomic_list(local_object_reference(), "Secrets for pulling images of the account's pods."), 3},
       {"automountServiceAccountToken", boolean(), 4, kPointer}}));
  t.subresource_answers["token"] = {
      {"authentication.k8s.io", "v1", "TokenRequest"}, token_request_schema(), no_token_issuer};
  return t;
}

}  // namespace ukube::builtin
