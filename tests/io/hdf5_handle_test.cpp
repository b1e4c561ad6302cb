// Handles close what they own exactly once, and failed calls become exceptions that say
// which call failed, on what, and why (the innermost HDF5 message), with nothing printed.
// Serial: HDF5's default (sec2) driver needs no MPI.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "deepntk/io/hdf5_error.hpp"
#include "deepntk/io/hdf5_handle.hpp"

using namespace deepntk::io;

namespace {
bool is_open(hid_t id) { return H5Iis_valid(id) > 0; }
}  // namespace

BOOST_AUTO_TEST_SUITE(hdf5_handles)

BOOST_AUTO_TEST_CASE(failed_call_names_call_object_and_cause) {
  silence_hdf5_error_printing();
  const std::string path = "definitely-missing-dir/missing.h5";
  std::string message;
  try {
    FileId file(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen", "'" + path + "'"));
  } catch (const Hdf5Error& e) {
    message = e.what();
  }
  BOOST_TEST_MESSAGE("message: " << message);
  BOOST_TEST(message.find("H5Fopen failed for '" + path + "'") == 0u);
  // The innermost entry is the operating system's reason, from the file driver.
  BOOST_TEST(message.find("No such file or directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(success_passes_the_value_through) {
  const hid_t id = check(H5Screate(H5S_SCALAR), "H5Screate", "");
  DataspaceId space(id);
  BOOST_TEST(space.get() == id);
  BOOST_TEST(check(herr_t{0}, "H5Xany", "") == 0);
  BOOST_TEST(check(htri_t{1}, "H5Xany", "") == 1);
}

BOOST_AUTO_TEST_CASE(handles_close_once_and_move) {
  hid_t raw = H5I_INVALID_HID;
  {
    DataspaceId a(check(H5Screate(H5S_SCALAR), "H5Screate", ""));
    raw = a.get();
    BOOST_TEST(is_open(raw));
    DataspaceId b(std::move(a));
    BOOST_TEST(!a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is specified
    BOOST_TEST(b.get() == raw);
    DataspaceId c;
    c = std::move(b);
    BOOST_TEST(c.get() == raw);
    BOOST_TEST(is_open(raw));
  }
  BOOST_TEST(!is_open(raw));  // closed by the last owner's destructor

  PropertyListId plist(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", ""));
  const hid_t plist_raw = plist.get();
  plist.close("H5Pclose", "file access properties");
  BOOST_TEST(!plist.valid());
  BOOST_TEST(!is_open(plist_raw));
  plist.close("H5Pclose", "again");  // closing an empty handle is a no-op
}

BOOST_AUTO_TEST_CASE(closing_an_invalid_id_reports_the_call) {
  silence_hdf5_error_printing();
  DatasetId bogus(static_cast<hid_t>(123456789));
  std::string message;
  try {
    bogus.close("H5Dclose", "'/bogus'");
  } catch (const Hdf5Error& e) {
    message = e.what();
  }
  BOOST_TEST(message.find("H5Dclose failed for '/bogus'") == 0u);
  BOOST_TEST(!bogus.valid());
}

BOOST_AUTO_TEST_SUITE_END()
