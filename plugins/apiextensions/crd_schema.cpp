// The OpenAPI schema of apiextensions.k8s.io/v1 CustomResourceDefinition: what kubectl's
// explain, apply and strict field validation read. A version's openAPIV3Schema is kept
// open (JSONSchemaProps nests itself without end); the definition's own validation
// checks it.
#include <boost/json.hpp>

#include "crd_type.h"

namespace ukube::apiextensions {

namespace {

// spec.names and status.acceptedNames share one schema.
boost::json::object names_schema() {
  return boost::json::parse(R"JSON({
  "type": "object",
  "description": "CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition",
  "required": ["plural", "kind"],
  "properties": {
    "plural": {"type": "string", "default": "", "description": "plural is the plural name of the resource to serve. Must be all lowercase."},
    "singular": {"type": "string", "description": "singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`."},
    "shortNames": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string", "default": ""}, "description": "shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`."},
    "kind": {"type": "string", "default": "", "description": "kind is the serialized kind of the resource. It is normally CamelCase and singular."},
    "listKind": {"type": "string", "description": "listKind is the serialized kind of the list for this resource. Defaults to \"`kind`List\"."},
    "categories": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string", "default": ""}, "description": "categories is a list of grouped resources this custom resource belongs to (e.g. 'all')."}
  }
})JSON")
      .as_object();
}

// Puts the names schema where the text below says {"$ref": "names"}.
void expand_names(boost::json::value& v) {
  if (auto* o = v.if_object()) {
    if (o->size() == 1 && o->contains("$ref")) {
      v = names_schema();
      return;
    }
    for (auto& m : *o) expand_names(m.value());
  }
}

}  // namespace

const boost::json::object& crd_schema() {
  static const boost::json::object schema = [] {
    boost::json::value s = boost::json::parse(R"JSON({
  "type": "object",
  "description": "CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.",
  "required": ["spec"],
  "properties": {
    "apiVersion": {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."},
    "kind": {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."},
    "spec": {
      "type": "object",
      "description": "spec describes how the user wants the resources to appear",
      "required": ["group", "names", "scope", "versions"],
      "properties": {
        "group": {"type": "string", "description": "group is the API group of the defined custom resource. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`)."},
        "names": {"$ref": "names"},
        "scope": {"type": "string", "description": "scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`."},
        "preserveUnknownFields": {"type": "boolean", "description": "preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage."},
        "conversion": {
          "type": "object",
          "description": "conversion defines conversion settings for the CRD.",
          "required": ["strategy"],
          "properties": {
            "strategy": {"type": "string", "description": "strategy specifies how custom resources are converted between versions. Allowed values are: `None` and `Webhook`."},
            "webhook": {
              "type": "object",
              "description": "webhook describes how to call the conversion webhook. Required when `strategy` is set to `\"Webhook\"`.",
              "required": ["conversionReviewVersions"],
              "properties": {
                "clientConfig": {
                  "type": "object",
                  "description": "clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.",
                  "properties": {
                    "url": {"type": "string", "description": "url gives the location of the webhook, in standard URL form (`scheme://host:port/path`)."},
                    "caBundle": {"type": "string", "format": "byte", "description": "caBundle is a PEM encoded CA bundle which will be used to validate the webhook's server certificate."},
                    "service": {
                      "type": "object",
                      "description": "service is a reference to the service for this webhook.",
                      "required": ["namespace", "name"],
                      "properties": {
                        "namespace": {"type": "string", "description": "namespace is the namespace of the service."},
                        "name": {"type": "string", "description": "name is the name of the service."},
                        "path": {"type": "string", "description": "path is an optional URL path at which the webhook will be contacted."},
                        "port": {"type": "integer", "format": "int32", "description": "port is an optional service port at which the webhook will be contacted. Defaults to 443."}
                      }
                    }
                  }
                },
                "conversionReviewVersions": {"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "atomic", "description": "conversionReviewVersions is an ordered list of preferred `ConversionReview` versions the Webhook expects."}
              }
            }
          }
        },
        "versions": {
          "type": "array",
          "x-kubernetes-list-type": "atomic",
          "description": "versions is the list of all API versions of the defined custom resource.",
          "items": {
            "type": "object",
            "description": "CustomResourceDefinitionVersion describes a version for CRD.",
            "required": ["name", "served", "storage"],
            "properties": {
              "name": {"type": "string", "default": "", "description": "name is the version name, e.g. “v1”, “v2beta1”, etc."},
              "served": {"type": "boolean", "default": false, "description": "served is a flag enabling/disabling this version from being served via REST APIs"},
              "storage": {"type": "boolean", "default": false, "description": "storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true."},
              "deprecated": {"type": "boolean", "description": "deprecated indicates this version of the custom resource API is deprecated."},
              "deprecationWarning": {"type": "string", "description": "deprecationWarning overrides the default warning returned to API clients."},
              "schema": {
                "type": "object",
                "description": "schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.",
                "properties": {
                  "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning."}
                }
              },
              "subresources": {
                "type": "object",
                "description": "subresources specify what subresources this version of the defined custom resource have.",
                "properties": {
                  "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "status indicates the custom resource should serve a `/status` subresource."},
                  "scale": {
                    "type": "object",
                    "description": "scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.",
                    "required": ["specReplicasPath", "statusReplicasPath"],
                    "properties": {
                      "specReplicasPath": {"type": "string", "default": "", "description": "specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`."},
                      "statusReplicasPath": {"type": "string", "default": "", "description": "statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`."},
                      "labelSelectorPath": {"type": "string", "description": "labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`."}
                    }
                  }
                }
              },
              "additionalPrinterColumns": {
                "type": "array",
                "x-kubernetes-list-type": "atomic",
                "description": "additionalPrinterColumns specifies additional columns returned in Table output.",
                "items": {
                  "type": "object",
                  "required": ["name", "type", "jsonPath"],
                  "properties": {
                    "name": {"type": "string", "default": "", "description": "name is a human readable name for the column."},
                    "type": {"type": "string", "default": "", "description": "type is an OpenAPI type definition for this column."},
                    "format": {"type": "string", "description": "format is an optional OpenAPI type definition for this column."},
                    "description": {"type": "string", "description": "description is a human readable description of this column."},
                    "priority": {"type": "integer", "format": "int32", "description": "priority is an integer defining the relative importance of this column compared to others."},
                    "jsonPath": {"type": "string", "default": "", "description": "jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column."}
                  }
                }
              },
              "selectableFields": {
                "type": "array",
                "x-kubernetes-list-type": "atomic",
                "description": "selectableFields specifies paths to fields that may be used as field selectors.",
                "items": {
                  "type": "object",
                  "required": ["jsonPath"],
                  "properties": {"jsonPath": {"type": "string", "default": "", "description": "jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value."}}
                }
              }
            }
          }
        }
      }
    },
    "status": {
      "type": "object",
      "description": "status indicates the actual state of the CustomResourceDefinition",
      "properties": {
        "conditions": {
          "type": "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          "description": "conditions indicate state for particular aspects of a CustomResourceDefinition",
          "items": {
            "type": "object",
            "required": ["type", "status"],
            "properties": {
              "type": {"type": "string", "default": "", "description": "type is the type of the condition. Types include Established, NamesAccepted and Terminating."},
              "status": {"type": "string", "default": "", "description": "status is the status of the condition. Can be True, False, Unknown."},
              "lastTransitionTime": {"type": "string", "format": "date-time", "description": "lastTransitionTime last time the condition transitioned from one status to another."},
              "reason": {"type": "string", "description": "reason is a unique, one-word, CamelCase reason for the condition's last transition."},
              "message": {"type": "string", "description": "message is a human-readable message indicating details about last transition."}
            }
          }
        },
        "acceptedNames": {"$ref": "names"},
        "storedVersions": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "string", "default": ""}, "description": "storedVersions lists all versions of CustomResources that were ever persisted."}
      }
    }
  }
})JSON");
    expand_names(s);
    return std::move(s.as_object());
  }();
  return schema;
}

}  // namespace ukube::apiextensions
