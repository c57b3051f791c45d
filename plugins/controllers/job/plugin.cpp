// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/job/config.pb.h"
#include "job_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "job", ukube::controllers::job::JobPlugin,
                    &ukube::controllers::job::JobConfig::default_instance(), "ukube.types.v1")
