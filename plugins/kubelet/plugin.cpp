// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "kubelet/config.pb.h"
#include "kubelet_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.kubelet.v1", "kubelet", ukube::kubelet::KubeletPlugin,
                    &ukube::kubelet::KubeletConfig::default_instance(), "ukube.types.v1", "ukube.runtime.v1",
                    "?ukube.network.v1")
