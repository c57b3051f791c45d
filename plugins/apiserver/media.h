#pragma once

#include <string>
#include <string_view>

// What representation a client asked for in its Accept header. Objects always go out as
// JSON (we have no protobuf encoding); the Accept header only selects between plain
// objects, Tables and aggregated discovery.
namespace ukube::apiserver {

enum class Representation {
  Plain,             // the object or list itself
  Table,             // meta.k8s.io/v1 Table (kubectl get)
  PartialMetadata,   // meta.k8s.io/v1 PartialObjectMetadata(List) (metadata-only clients)
  DiscoveryV2,       // apidiscovery.k8s.io/v2 APIGroupDiscoveryList
  DiscoveryV2Beta1,  // apidiscovery.k8s.io/v2beta1 APIGroupDiscoveryList
};

// The first alternative in the Accept list that we can serve as JSON; protobuf-only
// alternatives are skipped, and Plain is the fallback.
Representation negotiate(std::string_view accept);

// The Content-Type that tells a client which representation it got.
std::string content_type_for(Representation r);

// The media type of a Content-Type header without parameters, lower-cased.
std::string media_type(std::string_view content_type);

}  // namespace ukube::apiserver
