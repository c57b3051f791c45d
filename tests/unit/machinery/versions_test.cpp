// API versions in upstream's preference order (CompareKubeAwareVersionStrings' cases).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ukube/machinery/versions.h"

namespace ukube::machinery {
namespace {

std::vector<std::string> preferred_order(std::vector<std::string> v) {
  std::sort(v.begin(), v.end(),
            [](const std::string& a, const std::string& b) { return version_preferred(a, b); });
  return v;
}

TEST(VersionOrder, GaBeforeBetaBeforeAlphaHigherFirstOthersLastAlphabetically) {
  EXPECT_EQ(preferred_order({"v1beta1", "v2", "v1alpha1", "foo", "v1", "v1beta2", "v10", "bar"}),
            (std::vector<std::string>{"v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "bar", "foo"}));
  EXPECT_EQ(preferred_order({"v2beta1", "v1"}), (std::vector<std::string>{"v1", "v2beta1"}));
  EXPECT_EQ(preferred_order({"v11alpha2", "v10beta1", "v12alpha1"}),
            (std::vector<std::string>{"v10beta1", "v12alpha1", "v11alpha2"}));
}

TEST(VersionOrder, LookalikesAreNotKubernetesVersions) {
  // Leading zeros, a zero major or minor, and trailing text make a plain string.
  for (const char* odd : {"v01", "v0", "v1beta0", "v1beta", "v1gamma1", "v1beta1x", "1", "v"}) {
    EXPECT_TRUE(version_preferred("v1alpha1", odd)) << odd;
    EXPECT_FALSE(version_preferred(odd, "v1alpha1")) << odd;
  }
  EXPECT_FALSE(version_preferred("v1", "v1"));
}

}  // namespace
}  // namespace ukube::machinery
