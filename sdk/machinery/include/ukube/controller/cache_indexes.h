#pragma once

#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/machinery/export.h"

// Informer indexes controllers share (Informer::add_indexer). Indexers of one name on a
// shared informer must compute the same thing, so each name is defined here once,
// together with the function that computes it.
namespace ukube::controller {

// Objects by metadata.namespace (client-go's cache.NamespaceIndex): a namespace's
// objects without scanning the whole cache.
inline constexpr const char* kNamespaceIndex = "namespace";
UKUBE_MACHINERY_API std::vector<std::string> index_by_namespace(const boost::json::object& object);

// Objects by the uid of their controller (the owner reference with controller: true),
// as upstream's controllerUID indexes: what an owner controls, without scanning.
inline constexpr const char* kControllerUidIndex = "controllerUID";
UKUBE_MACHINERY_API std::vector<std::string> index_by_controller_uid(const boost::json::object& object);

// Objects no controller owns, by namespace: the candidates an owner may adopt.
inline constexpr const char* kOrphansIndex = "orphansByNamespace";
UKUBE_MACHINERY_API std::vector<std::string> index_orphans_by_namespace(const boost::json::object& object);

}  // namespace ukube::controller
