#include "kernel/pipeline/selectors.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "ukube/errors.h"

namespace ukube::pipeline {
namespace {

boost::json::object labelled(boost::json::object labels) {
  return boost::json::object{{"metadata", boost::json::object{{"name", "x"}, {"labels", std::move(labels)}}}};
}

struct LabelCase {
  const char* selector;
  bool matches;
};

TEST(LabelSelector, MatchesLikeUpstream) {
  auto object = labelled({{"app", "web"}, {"tier", "front"}, {"rank", "7"}});
  const LabelCase cases[] = {
      {"", true},
      {"app=web", true},
      {"app==web", true},
      {"app=db", false},
      {"app!=db", true},
      {"app!=web", false},
      {"missing!=x", true},  // != matches objects without the label, as upstream
      {"app", true},
      {"missing", false},
      {"!missing", true},
      {"!app", false},
      {"app in (web,db)", true},
      {"app in (db)", false},
      {"app notin (db, cache)", true},
      {"app notin (web)", false},
      {"missing notin (web)", true},
      {"app=web,tier=front", true},
      {"app=web,tier=back", false},
      {"rank>5", true},
      {"rank<5", false},
      {"app in (web),!missing,tier", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(LabelSelector::parse(c.selector).matches(object), c.matches) << "selector: " << c.selector;
}

TEST(LabelSelector, RejectsBadSyntaxWith400) {
  for (const char* bad : {"app=", "=web", "app in web", "app ~ web", "app in (a", "rank>x", "a b"}) {
    if (std::string(bad) == "app=") continue;  // an empty value is legal upstream
    try {
      LabelSelector::parse(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 400) << bad;
      // Upstream's parser words: "unable to parse requirement: ..." or, before any
      // requirement, "found '=', expected: !, identifier, or 'end of string'".
      std::string message = e.what();
      EXPECT_TRUE(message.starts_with("unable to parse requirement: ") || message.starts_with("found '"))
          << message;
    }
  }
  EXPECT_TRUE(LabelSelector::parse("app=").matches(labelled({{"app", ""}})));
}

TEST(FieldSelector, KnowsMetadataAndTypeFields) {
  TypeInfo type;
  type.selectable_fields.push_back(
      {"spec.nodeName", [](const boost::json::object& o) {
         auto* spec = o.if_contains("spec");
         auto* n = spec && spec->is_object() ? spec->get_object().if_contains("nodeName") : nullptr;
         return n && n->is_string() ? std::string(n->get_string()) : std::string();
       }});
  boost::json::object pod{{"metadata", {{"name", "p1"}, {"namespace", "ns"}}},
                          {"spec", {{"nodeName", "n1"}}}};
  EXPECT_TRUE(FieldSelector::parse("metadata.name=p1", type).matches(pod));
  EXPECT_TRUE(FieldSelector::parse("metadata.name==p1,metadata.namespace=ns", type).matches(pod));
  EXPECT_FALSE(FieldSelector::parse("metadata.name!=p1", type).matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=n1", type).matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName!=", type).matches(pod));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName=", type).matches(pod));
  try {
    FieldSelector::parse("spec.bogus=1", type);
    FAIL() << "unknown field accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 400);
    EXPECT_NE(std::string(e.what()).find("\"spec.bogus\" is not a known field selector"), std::string::npos);
  }
}

}  // namespace
}  // namespace ukube::pipeline
