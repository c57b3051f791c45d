#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/export.h"

// The type registry (DESIGN.md §2): everything the kernel knows about a resource. The
// kernel itself is type-agnostic; built-in types and CRDs register here.
namespace ukube {

struct UserInfo;  // ukube/auth.h

struct UKUBE_API GroupVersionResource {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural
  bool operator==(const GroupVersionResource&) const = default;
  std::string to_string() const;  // "deployments.v1.apps" / "pods.v1"
};

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
  bool operator==(const GroupVersionKind&) const = default;
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

// One problem with one field, as metav1.StatusCause: reason is upstream's
// FieldValueRequired / FieldValueInvalid / FieldValueNotSupported / ...
struct FieldError {
  std::string reason;
  std::string field;
  std::string message;
};

struct PrinterColumn {
  std::string name;
  std::string type;  // integer, number, string, boolean, date
  std::string format;
  std::string description;
  int priority = 0;       // > 0: only with -o wide
  std::string json_path;  // e.g. .spec.replicas (for generic Table rendering)
};

// Where a type keeps its replica counts, for the autoscaling/v1 Scale subresource.
struct ScaleSpec {
  std::string spec_replicas_path;    // e.g. spec.replicas
  std::string status_replicas_path;  // e.g. status.replicas
  std::string label_selector_path;   // e.g. status.selector or spec.selector
};

// Fills in defaults on create and update, before validation.
using DefaultingHook = std::function<void(boost::json::object& object)>;
// Appends what is wrong with `object`; `old` is null on create.
using ValidationHook = std::function<void(const boost::json::object& object, const boost::json::object* old,
                                          std::vector<FieldError>& errors)>;
// Extracts the value of a type-specific field selector (e.g. spec.nodeName) from an object.
using FieldGetter = std::function<std::string(const boost::json::object& object)>;

// The cells of one `kubectl get` Table row, one per printer column, in order.
using TableRowFunc = std::function<boost::json::array(const boost::json::object& object)>;
// A POST to a subresource of an existing object (pods/binding): given the stored parent
// and the request body, returns the parent's new state, or throws ApiError.
using SubresourceWriter =
    std::function<boost::json::object(const boost::json::object& parent, const boost::json::object& body)>;

// A POST answered without storing anything: the access and token reviews, and subresources
// such as serviceaccounts/token. The body arrives defaulted and validated (when it is the
// resource itself); the result is the response object, apiVersion and kind included.
struct EphemeralCall {
  const UserInfo& user;
  boost::json::object& body;
  const boost::json::object* parent = nullptr;  // the stored object, for a subresource
  std::string_view namespace_;
  bool dry_run = false;
};
using EphemeralHandler = std::function<boost::json::object(EphemeralCall& call)>;

// A subresource whose POST is answered from the stored parent without changing it. Its body
// is another kind (TokenRequest for serviceaccounts/token); with that kind's schema, carrying
// protobuf field numbers, protobuf bodies are decoded too.
struct SubresourceAnswer {
  GroupVersionKind body_kind;
  std::shared_ptr<const boost::json::object> body_schema;
  EphemeralHandler answer;
};

// Upstream's graceful deletion (pods): the grace period a delete of the stored `object`
// gets, given the one the request asked for. 0 removes it at once; more marks it with a
// deletionTimestamp that far ahead and leaves the removal to whoever stops it (the
// kubelet), and a later delete may only shorten the period.
using GracePeriodFunc =
    std::function<int64_t(const boost::json::object& object, std::optional<int64_t> requested)>;

// Rewrites an object of any served version of a resource as `version` of it, apiVersion
// included, so one resource can be served in several versions from one stored copy
// (autoscaling/v1 and v2 HorizontalPodAutoscalers). Between a resource of one group and
// its storage in another (TypeInfo::storage_group) there are only the two shapes, and the
// object's apiVersion says which one it is in.
using ConversionFunc = std::function<void(boost::json::object& object, const std::string& version)>;

// A get (`name` set) or list of a resource that is computed on each request, never stored
// (metrics.k8s.io): the items, already authorised, each a whole object with apiVersion and
// kind. A get answers at most one item; none is a 404.
struct ComputedRead {
  const UserInfo& user;
  std::string_view namespace_;
  std::string_view name;
  std::string_view label_selector;
  std::string_view field_selector;
};
using ComputedReader = std::function<std::vector<boost::json::object>(const ComputedRead& read)>;

struct SelectableField {
  std::string name;  // e.g. "spec.nodeName"
  FieldGetter get;
};

struct UKUBE_API TypeInfo {
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  std::string list_kind;  // defaults to kind + "List"
  bool namespaced = true;
  // How the kernel checks metadata.name: most resources need a DNS-1123 subdomain; RBAC
  // objects ("system:node") and a few others only a path segment, as upstream.
  enum class NameRule : uint8_t { DnsSubdomain, PathSegment };
  NameRule name_rule = NameRule::DnsSubdomain;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;  // defaults to the full set
  bool status_subresource = false;
  std::optional<ScaleSpec> scale;
  std::vector<std::string> extra_subresources;  // e.g. "log", "exec", "binding"
  std::vector<PrinterColumn> printer_columns;
  TableRowFunc table_row;  // empty: cells come from each printer column's json_path
  // OpenAPI v3 schema of the whole object (with upstream's x-kubernetes-* extensions);
  // null when unknown, which turns off strict field validation for the type.
  std::shared_ptr<const boost::json::object> schema;
  std::map<std::string, SubresourceWriter> subresource_writers;  // by subresource name
  std::map<std::string, SubresourceAnswer> subresource_answers;  // by subresource name
  // Set for create-only resources that are answered, never stored (SelfSubjectAccessReview).
  EphemeralHandler ephemeral_create;
  std::vector<SelectableField> selectable_fields;  // beyond metadata.name / metadata.namespace
  std::vector<DefaultingHook> defaulters;
  // Run on creates only, before admission: what upstream's PrepareForCreate resets (the
  // status of a custom resource with a status subresource).
  std::vector<DefaultingHook> prepare_create;
  std::vector<ValidationHook> validators;
  GracePeriodFunc grace_period;  // empty: deletes are immediate
  // Several versions of one resource share its store key prefix. Objects are stored as
  // `storage_version` (empty: this version) and `convert` rewrites them for every read
  // and write through another version. Set both on each version of such a resource.
  std::string storage_version;
  ConversionFunc convert;
  // Set, with `convert` and `storage_version`, when the resource is served in another
  // group than the one that stores it: events.k8s.io/v1 Events are core/v1 Events ("").
  std::optional<std::string> storage_group;
  // Set for read-only resources answered by a plugin on each request (get and list only).
  ComputedReader computed_read;
  // What moves metadata.generation, as each upstream strategy decides: a change outside
  // metadata and status (workloads; the default), outside metadata alone (custom resources
  // without a status subresource), or nothing, the field never being set (ConfigMaps).
  enum class Generation : uint8_t { Spec, AllButMetadata, None };
  Generation generation = Generation::Spec;
  // Whether PATCH takes application/strategic-merge-patch+json. Custom resources do not:
  // upstream answers 415 and clients fall back to a JSON merge patch.
  bool strategic_merge_patch = true;

  // The version that stores objects: walk the registry once per resource with it.
  bool is_storage_version() const {
    return (!storage_group || *storage_group == group) &&
           (storage_version.empty() || storage_version == version);
  }
  // What objects are stored as: this group/version/kind unless the fields above say otherwise.
  GroupVersionKind storage_gvk() const {
    return {storage_group.value_or(group), storage_version.empty() ? version : storage_version, kind};
  }

  GroupVersionResource gvr() const { return {group, version, plural}; }
  GroupVersionKind gvk() const { return {group, version, kind}; }
  std::string api_version() const { return gvk().api_version(); }
  // Store key prefix shared by every version of the resource: /<group|core>/<plural>/, in
  // the storage group.
  std::string key_prefix() const;
  // "pods", "deployments.apps": how upstream names a resource in error messages.
  std::string group_resource() const;
};

using TypeInfoPtr = std::shared_ptr<const TypeInfo>;

class UKUBE_API TypeRegistry {
 public:
  virtual ~TypeRegistry();
  // Throws std::invalid_argument when the group/version/resource is taken or fields are missing.
  virtual TypeInfoPtr add(TypeInfo type) = 0;
  virtual bool remove(const GroupVersionResource& gvr) = 0;
  // Replaces a registered type with an edited copy, so a plugin can add what it serves to a
  // type another plugin registered (the token subresource of ServiceAccounts). Returns the
  // new type, or null when `gvr` is not registered. Lost when the owner registers it again.
  virtual TypeInfoPtr extend(const GroupVersionResource& gvr, const std::function<void(TypeInfo&)>& edit) = 0;
  virtual TypeInfoPtr find(const GroupVersionResource& gvr) const = 0;
  virtual TypeInfoPtr find_kind(const GroupVersionKind& gvk) const = 0;
  // Every type whose plural, singular, kind (case-insensitive) or short name is `name`,
  // optionally restricted to a group ("deploy", "deployments.apps").
  virtual std::vector<TypeInfoPtr> resolve(std::string_view name) const = 0;
  virtual std::vector<TypeInfoPtr> all() const = 0;
  // Bumped on every change, so discovery documents can be cached until it moves.
  virtual uint64_t generation() const = 0;
};

}  // namespace ukube
