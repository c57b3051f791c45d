// The library's registrar: identity and factory only.
#include "ukube/plugin.h"
#include "controllers/cronjob/config.pb.h"
#include "cronjob_plugin.h"

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "cronjob", ukube::controllers::cronjob::CronJobPlugin,
                    &ukube::controllers::cronjob::CronJobConfig::default_instance(), "ukube.types.v1")
