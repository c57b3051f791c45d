// Encryption at rest through the real embedded store: what readers, writers and watchers
// see (plaintext), what the backend and its files keep (ciphertext), plaintext from before
// encryption, key rotation, and the errors for values no configured key can open.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "encryption_test_util.h"

namespace ukube::store {
namespace {

using test_support::aesgcm;
using test_support::EncryptedStack;
using test_support::encryption_yaml;
using test_support::kIdentity;
using test_support::TempDir;

const std::string kSecret = "/core/secrets/default/db";
const std::string kConfigMap = "/core/configmaps/default/settings";

// A Secret-like value carrying a marker that must never reach the disk.
Bytes secret_value(const std::string& marker) {
  return make_bytes(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":")" +
                    marker + R"("}})");
}

std::string key1_only() {
  return encryption_yaml("[secrets]", aesgcm({{"key1", 'a'}}) + kIdentity);
}

std::string all_files_under(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  return all;
}

template <class Fn>
std::string decrypt_error(Fn&& fn) {
  try {
    fn();
  } catch (const DecryptError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DecryptError";
  return "";
}

TEST(EncryptingStore, ReadersAndWritersSeePlaintextWhileTheBackendHoldsCiphertext) {
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only());
  Store& store = stack.store();
  Bytes v1 = secret_value("FIRST-PLAINTEXT");
  WriteResult created = store.create(kSecret, v1);
  ASSERT_TRUE(created);
  EXPECT_EQ(*created.current.value, *v1) << "the write result is plaintext";

  std::string raw = stack.raw(kSecret);
  EXPECT_TRUE(raw.starts_with("k8s:enc:aesgcm:v1:key1:")) << raw;
  EXPECT_EQ(raw.find("FIRST-PLAINTEXT"), std::string::npos);
  EXPECT_EQ(raw.size(), std::string("k8s:enc:aesgcm:v1:key1:").size() + 12 + v1->size() + 16)
      << "prefix, 12-byte nonce, ciphertext, 16-byte tag";

  Bytes v2 = secret_value("SECOND-PLAINTEXT");
  WriteResult updated = store.update(kSecret, v2, created.revision);
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated.current.value, *v2);
  EXPECT_EQ(*store.get(kSecret)->value, *v2);
  EXPECT_EQ(*store.get(kSecret, created.revision)->value, *v1) << "old revisions are opened too";
  ListResult listed = store.list("/core/secrets/");
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(*listed.items[0].value, *v2);

  // Two encryptions of the same plaintext differ (a fresh nonce each time).
  ASSERT_TRUE(store.update(kSecret, v2));
  EXPECT_NE(stack.raw(kSecret), raw);
  EXPECT_EQ(*store.get(kSecret)->value, *v2);
}

TEST(EncryptingStore, RefusedAndDeleteResultsCarryPlaintext) {
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only());
  Store& store = stack.store();
  Bytes v1 = secret_value("P1");
  WriteResult created = store.create(kSecret, v1);
  ASSERT_TRUE(created);
  ASSERT_TRUE(store.update(kSecret, secret_value("P2")));

  WriteResult exists = store.create(kSecret, secret_value("P3"));
  EXPECT_EQ(exists.status, WriteStatus::AlreadyExists);
  ASSERT_TRUE(exists.current.value);
  EXPECT_EQ(*exists.current.value, *secret_value("P2"));

  WriteResult conflict = store.update(kSecret, secret_value("P3"), created.revision);
  EXPECT_EQ(conflict.status, WriteStatus::Conflict);
  ASSERT_TRUE(conflict.current.value);
  EXPECT_EQ(*conflict.current.value, *secret_value("P2"));

  WriteResult removed = store.remove(kSecret);
  ASSERT_TRUE(removed);
  ASSERT_TRUE(removed.current.value);
  EXPECT_EQ(*removed.current.value, *secret_value("P2"));
}

TEST(EncryptingStore, WalAndSnapshotFilesHoldNoPlaintext) {
  TempDir dir;
  const std::string marker = "UNIQUE-PLAINTEXT-4f1c9a";
  {
    EncryptedStack stack(dir.path(), key1_only());
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(stack.store().create(kSecret + std::to_string(i), secret_value(marker)));
    stack.inner->snapshot();  // half the values in a snapshot, half only in the WAL
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(stack.store().update(kSecret + std::to_string(i), secret_value(marker)));
    // The same scan finds an unencrypted resource's value: it would find a leak.
    ASSERT_TRUE(stack.store().create(kConfigMap, make_bytes(R"({"data":{"visible":"CONFIGMAP-MARKER"}})")));
    ASSERT_TRUE(stack.inner->stats().snapshots >= 1);
  }
  std::string disk = all_files_under(dir.path());
  ASSERT_FALSE(disk.empty());
  EXPECT_NE(disk.find("CONFIGMAP-MARKER"), std::string::npos) << "the scan must see stored values";
  EXPECT_EQ(disk.find(marker), std::string::npos) << "a secret's plaintext reached the disk";
  EXPECT_EQ(disk.find(base64_encode(marker)), std::string::npos);

  // And it all comes back after a restart (WAL replay and snapshot recovery).
  EncryptedStack reopened(dir.path(), key1_only());
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(*reopened.store().get(kSecret + std::to_string(i))->value, *secret_value(marker));
}

TEST(EncryptingStore, PlaintextStoredBeforeEncryptionStaysReadableAndIsEncryptedOnItsNextWrite) {
  TempDir dir;
  Bytes old_value = secret_value("WRITTEN-BEFORE-ENCRYPTION");
  {
    EncryptedStack plain(dir.path(), "");
    ASSERT_TRUE(plain.store().create(kSecret, old_value));
  }
  EncryptedStack stack(dir.path(), key1_only());
  EXPECT_EQ(stack.raw(kSecret), *old_value) << "nothing is rewritten behind the user's back";
  EXPECT_EQ(*stack.store().get(kSecret)->value, *old_value);
  EXPECT_EQ(*stack.store().list("/core/secrets/").items.at(0).value, *old_value);

  Bytes new_value = secret_value("WRITTEN-AFTER");
  ASSERT_TRUE(stack.store().update(kSecret, new_value));
  EXPECT_TRUE(stack.raw(kSecret).starts_with("k8s:enc:aesgcm:v1:key1:"));
  EXPECT_EQ(*stack.store().get(kSecret)->value, *new_value);
}

TEST(EncryptingStore, RotationReadsValuesUnderTheOldKeyAndWritesWithTheNewOne) {
  TempDir dir;
  const std::string other = "/core/secrets/default/other";
  {
    EncryptedStack stack(dir.path(), key1_only());
    ASSERT_TRUE(stack.store().create(kSecret, secret_value("OLD-KEY-VALUE")));
    ASSERT_TRUE(stack.store().create(other, secret_value("OTHER")));
  }
  // Step 1: the new key first (it writes), the old one second (it still reads).
  const std::string rotated =
      encryption_yaml("[secrets]", aesgcm({{"key2", 'b'}, {"key1", 'a'}}) + kIdentity);
  {
    EncryptedStack stack(dir.path(), rotated);
    EXPECT_TRUE(stack.raw(kSecret).starts_with("k8s:enc:aesgcm:v1:key1:"));
    EXPECT_EQ(*stack.store().get(kSecret)->value, *secret_value("OLD-KEY-VALUE"));
    ASSERT_TRUE(stack.store().create("/core/secrets/default/new", secret_value("NEW")));
    EXPECT_TRUE(stack.raw("/core/secrets/default/new").starts_with("k8s:enc:aesgcm:v1:key2:"));
    // Step 2: rewrite the objects; the old key now protects nothing.
    for (const auto& key : {kSecret, other}) {
      Bytes value = stack.store().get(key)->value;
      ASSERT_TRUE(stack.store().update(key, value));
      EXPECT_TRUE(stack.raw(key).starts_with("k8s:enc:aesgcm:v1:key2:")) << key;
    }
  }
  // Step 3: the old key can go.
  EncryptedStack stack(dir.path(), encryption_yaml("[secrets]", aesgcm({{"key2", 'b'}})));
  EXPECT_EQ(*stack.store().get(kSecret)->value, *secret_value("OLD-KEY-VALUE"));
  EXPECT_EQ(*stack.store().get(other)->value, *secret_value("OTHER"));
}

TEST(EncryptingStore, AValueUnderAKeyNoLongerConfiguredFailsNamingTheKeyAndWhatToDo) {
  TempDir dir;
  {
    EncryptedStack stack(dir.path(), key1_only());
    ASSERT_TRUE(stack.store().create(kSecret, secret_value("LOST")));
  }
  EncryptedStack stack(dir.path(), encryption_yaml("[secrets]", aesgcm({{"key2", 'b'}})));
  std::string get_error = decrypt_error([&] { stack.store().get(kSecret); });
  EXPECT_NE(get_error.find("cannot decrypt " + kSecret), std::string::npos) << get_error;
  EXPECT_NE(get_error.find("aesgcm provider"), std::string::npos) << get_error;
  EXPECT_NE(get_error.find("key \"key1\""), std::string::npos) << get_error;
  EXPECT_NE(get_error.find("enc.yaml does not list for secrets"), std::string::npos) << get_error;
  EXPECT_NE(get_error.find("add that key back"), std::string::npos) << get_error;
  EXPECT_EQ(get_error.find("LOST"), std::string::npos) << "an error never shows plaintext";

  std::string list_error = decrypt_error([&] { stack.store().list("/core/secrets/"); });
  EXPECT_EQ(list_error, get_error) << "a list fails as a whole, as upstream's";
}

TEST(EncryptingStore, TheSameKeyNameWithAnotherSecretIsRefusedNotMisread) {
  TempDir dir;
  {
    EncryptedStack stack(dir.path(), key1_only());
    ASSERT_TRUE(stack.store().create(kSecret, secret_value("X")));
  }
  EncryptedStack stack(dir.path(), encryption_yaml("[secrets]", aesgcm({{"key1", 'z'}})));
  std::string error = decrypt_error([&] { stack.store().get(kSecret); });
  EXPECT_NE(error.find("aesgcm key \"key1\" of enc.yaml rejects the value"), std::string::npos) << error;
}

TEST(EncryptingStore, ACiphertextCopiedUnderAnotherKeyDoesNotOpen) {
  // The store key is authenticated with the value: a sealed Secret replayed under another
  // name (by someone who can write the backend but not read it) is refused.
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only());
  ASSERT_TRUE(stack.store().create(kSecret, secret_value("X")));
  const std::string stolen = "/core/secrets/default/stolen";
  ASSERT_TRUE(stack.inner->create(stolen, make_bytes(stack.raw(kSecret))));
  std::string error = decrypt_error([&] { stack.store().get(stolen); });
  EXPECT_NE(error.find("rejects the value"), std::string::npos) << error;
}

TEST(EncryptingStore, IdentityFirstWritesPlaintextAndStillReadsEncryptedValues) {
  // How encryption is turned off: identity first, the key second, then rewrite.
  TempDir dir;
  {
    EncryptedStack stack(dir.path(), key1_only());
    ASSERT_TRUE(stack.store().create(kSecret, secret_value("ENCRYPTED-ONCE")));
  }
  EncryptedStack stack(dir.path(), encryption_yaml("[secrets]", kIdentity + aesgcm({{"key1", 'a'}})));
  EXPECT_EQ(*stack.store().get(kSecret)->value, *secret_value("ENCRYPTED-ONCE"));
  ASSERT_TRUE(stack.store().update(kSecret, secret_value("PLAIN-AGAIN")));
  EXPECT_EQ(stack.raw(kSecret), *secret_value("PLAIN-AGAIN"));
}

TEST(EncryptingStore, WatchEventsArriveDecrypted) {
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only());
  Store& store = stack.store();
  Bytes v1 = secret_value("EVENT-V1"), v2 = secret_value("EVENT-V2");
  ASSERT_TRUE(store.create(kSecret, v1));
  ASSERT_TRUE(store.update(kSecret, v2));
  ASSERT_TRUE(store.remove(kSecret));
  auto events = stack.events.wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]->type, EventType::Create);
  EXPECT_EQ(*events[0]->value, *v1);
  EXPECT_FALSE(events[0]->prev_value);
  EXPECT_EQ(events[1]->type, EventType::Update);
  EXPECT_EQ(*events[1]->value, *v2);
  EXPECT_EQ(*events[1]->prev_value, *v1);
  EXPECT_EQ(events[2]->type, EventType::Delete);
  EXPECT_FALSE(events[2]->value);
  EXPECT_EQ(*events[2]->prev_value, *v2);
  for (const auto& e : events) {
    EXPECT_EQ(e->key, kSecret);
    EXPECT_GT(e->revision, 0);
  }
}

TEST(EncryptingStore, AnEventWhosePreviousValueCannotBeOpenedLosesItAndSaysWhy) {
  TempDir dir;
  {
    EncryptedStack stack(dir.path(), key1_only());
    ASSERT_TRUE(stack.store().create(kSecret, secret_value("UNDER-KEY1")));
  }
  EncryptedStack stack(dir.path(), encryption_yaml("[secrets]", aesgcm({{"key2", 'b'}})));
  ASSERT_TRUE(stack.inner->remove(kSecret));  // a backend-level delete: no read first
  auto events = stack.events.wait_for(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->type, EventType::Delete);
  EXPECT_FALSE(events[0]->prev_value) << "ciphertext never reaches the watch bus";
  EXPECT_NE(stack.log.str().find("sent without its previous value"), std::string::npos) << stack.log.str();
}

TEST(EncryptingStore, ResourcesNotConfiguredAreUntouched) {
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only());
  Store& store = stack.store();
  Bytes cm = make_bytes(R"({"kind":"ConfigMap","data":{"k":"v"}})");
  WriteResult r = store.create(kConfigMap, cm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.current.value, cm) << "the very bytes, not a copy";
  EXPECT_EQ(stack.raw(kConfigMap), *cm);
  EXPECT_EQ(store.get(kConfigMap)->value, stack.inner->get(kConfigMap)->value);
  // Key prefixes end at a '/': a resource whose name starts with "secrets" is another resource.
  const std::string lookalike = "/core/secretstores/default/x";
  ASSERT_TRUE(store.create(lookalike, cm));
  EXPECT_EQ(stack.raw(lookalike), *cm);
  ASSERT_TRUE(store.create("/apps/secrets/default/x", cm));
  EXPECT_EQ(stack.raw("/apps/secrets/default/x"), *cm) << "secrets means the core group's secrets";

  auto events = stack.events.wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]->value, cm) << "events of other resources pass through as they are";
}

TEST(EncryptingStore, WildcardsCoverWholeGroups) {
  TempDir dir;
  EncryptedStack stack(dir.path(), encryption_yaml("['*.apps', '*.']", aesgcm({{"key1", 'a'}})));
  Bytes v = make_bytes(R"({"kind":"Deployment"})");
  for (const std::string key : {"/apps/deployments/ns/d", "/core/configmaps/ns/c", "/core/secrets/ns/s"}) {
    ASSERT_TRUE(stack.store().create(key, v));
    EXPECT_TRUE(stack.raw(key).starts_with("k8s:enc:aesgcm:v1:key1:")) << key;
    EXPECT_EQ(*stack.store().get(key)->value, *v);
  }
  ASSERT_TRUE(stack.store().create("/batch/jobs/ns/j", v));
  EXPECT_EQ(stack.raw("/batch/jobs/ns/j"), *v);
}

TEST(EncryptingStore, TheWritingKeyStopsAtItsLimitAndNothingIsWritten) {
  TempDir dir;
  EncryptedStack stack(dir.path(), key1_only(), /*seal_limit=*/2);
  ASSERT_TRUE(stack.store().create(kSecret + "1", secret_value("A")));
  ASSERT_TRUE(stack.store().create(kSecret + "2", secret_value("B")));
  int64_t before = stack.store().current_revision();
  try {
    stack.store().create(kSecret + "3", secret_value("C"));
    ADD_FAILURE() << "the third encryption must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("put a new key first"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(stack.store().get(kSecret + "3"));
  EXPECT_EQ(stack.store().current_revision(), before);
  EXPECT_TRUE(stack.store().create(kConfigMap, make_bytes("{}"))) << "the store itself keeps working";
}

TEST(EncryptingStore, DescribeSaysWhoWritesAndWhoReads) {
  auto config = parse_encryption_config(
      encryption_yaml("[secrets, configmaps]", aesgcm({{"key2", 'b'}, {"key1", 'a'}}) + kIdentity),
      "enc.yaml");
  ValueEncryption encryption(config);
  auto lines = encryption.describe();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "secrets, configmaps: written with aesgcm key \"key2\" (AES-256-GCM); also reads aesgcm key "
            "\"key1\" and "
            "unencrypted values");
}

}  // namespace
}  // namespace ukube::store
