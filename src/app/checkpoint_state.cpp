#include "deepntk/app/checkpoint_state.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>

#include "deepntk/io/attributes.hpp"
#include "deepntk/io/matrix_io.hpp"
#include "deepntk/io/replicated_array.hpp"
#include "deepntk/matrix/distributed_matrix.hpp"
#include "deepntk/mpi/all_gather.hpp"
#include "deepntk/mpi/error.hpp"

namespace deepntk::app {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {

constexpr const char* root = "/sweep";

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

using mpi::all_gather;

// The union of the names every rank has, sorted: blocks can differ in optional arrays (erf
// carries Σ_i − Σ_j only in blocks where points of unequal K0 meet).
std::vector<std::string> union_of_names(MPI_Comm comm, const std::vector<std::string>& mine) {
  std::vector<double> codes;  // names as character codes through the double gather, '\0'-separated
  for (const auto& n : mine) {
    for (char ch : n) codes.push_back(static_cast<unsigned char>(ch));
    codes.push_back(0);
  }
  std::set<std::string> names;
  std::string current;
  for (double code : all_gather(comm, codes)) {
    if (code == 0) {
      names.insert(current);
      current.clear();
    } else {
      current += static_cast<char>(static_cast<int>(code));
    }
  }
  return {names.begin(), names.end()};
}

std::string group_path(std::int64_t group) { return std::string(root) + "/pairs/" + std::to_string(group); }
std::string point_set_path(std::int64_t set) { return std::string(root) + "/point_vectors/" + std::to_string(set); }

std::vector<double> to_doubles(const std::vector<std::int64_t>& ids) { return {ids.begin(), ids.end()}; }

// Per-point vectors by id: every rank's (id, value) pairs gathered into one vector per set and
// name, in id order (ids are exact in a double below 2^53; a point no rank lists is NaN).
void write_point_vectors(io::File& file, const kernels::SweepState& state, const SweepLayout& layout) {
  const MPI_Comm comm = file.communicator().handle();
  std::vector<std::string> names;
  for (const auto& v : state.point_vectors) names.push_back(std::to_string(v.set) + "/" + v.name);
  const auto all_names = union_of_names(comm, names);
  std::map<std::int64_t, std::vector<std::string>> by_set;
  for (const auto& qualified : all_names) {
    const auto slash = qualified.find('/');
    const std::int64_t set = std::stoll(qualified.substr(0, slash));
    const std::string name = qualified.substr(slash + 1);
    const auto g = std::find_if(layout.groups.begin(), layout.groups.end(), [&](const PairGroup& x) { return x.group == set; });
    if (g == layout.groups.end()) throw std::logic_error("write_sweep_state: point vector of an unknown set");
    const auto mine = std::find_if(state.point_vectors.begin(), state.point_vectors.end(),
                                   [&](const auto& v) { return v.set == set && v.name == name; });
    const auto ids = all_gather(comm, mine == state.point_vectors.end() ? std::vector<double>{} : to_doubles(mine->ids));
    const auto values = all_gather(comm, mine == state.point_vectors.end() ? std::vector<double>{} : mine->values);
    if (ids.size() != values.size()) throw std::logic_error("write_sweep_state: point vector ids and values differ in size");
    std::vector<double> full(static_cast<std::size_t>(g->rows), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < ids.size(); ++i) full.at(static_cast<std::size_t>(ids[i])) = values[i];
    io::write_vector(file, point_set_path(set) + "/" + name, std::span<const double>(full));
    by_set[set].push_back(name);
  }
  for (const auto& [set, set_names] : by_set) {
    io::write_attribute(file, point_set_path(set), "vectors", std::string_view(join(set_names)));
  }
}

void read_point_vectors(const io::File& file, const SweepLayout& layout, kernels::SweepState& s) {
  for (const PairGroup& g : layout.groups) {
    const std::string path = point_set_path(g.group);
    if (!file.exists(path)) continue;
    for (const auto& name : split(io::read_attribute<std::string>(file, path, "vectors"))) {
      kernels::SweepState::PointVector v;
      v.set = g.group;
      v.name = name;
      v.values = io::read_double_array(file, path + "/" + name, 1).values;
      v.ids.resize(v.values.size());
      std::iota(v.ids.begin(), v.ids.end(), std::int64_t{0});
      s.point_vectors.push_back(std::move(v));
    }
  }
}

}  // namespace

void write_sweep_state(io::File& file, const kernels::SweepState& state, const SweepLayout& layout) {
  const MPI_Comm comm = file.communicator().handle();
  // Counters and reals are the same on every rank (the sweep's scales are chosen from a
  // reference point, never from a rank's data); rank 0's reach the file.
  std::vector<std::string> names;
  std::vector<std::int64_t> counters;
  for (const auto& c : state.counters) names.push_back(c.name), counters.push_back(c.value);
  io::write_vector(file, std::string(root) + "/counters", std::span<const std::int64_t>(counters));
  io::write_attribute(file, std::string(root) + "/counters", "names", std::string_view(join(names)));
  names.clear();
  std::vector<double> reals;
  for (const auto& r : state.reals) names.push_back(r.name), reals.push_back(r.value);
  io::write_vector(file, std::string(root) + "/reals", std::span<const double>(reals));
  io::write_attribute(file, std::string(root) + "/reals", "names", std::string_view(join(names)));

  // Per point: each rank knows the points of its own blocks; the values of one K0 are the
  // same on every rank (the per-point recursion sees nothing else), so the union is exact.
  const auto all_k0 = all_gather(comm, state.point_k0);
  std::vector<std::size_t> order(all_k0.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return all_k0[a] < all_k0[b]; });
  std::vector<std::size_t> keep;
  for (std::size_t i : order) {
    if (keep.empty() || all_k0[keep.back()] != all_k0[i]) keep.push_back(i);
  }
  std::vector<double> k0;
  for (std::size_t i : keep) k0.push_back(all_k0[i]);
  io::write_vector(file, std::string(root) + "/point_k0", std::span<const double>(k0));
  for (const auto& array : state.point_arrays) {
    const auto all = all_gather(comm, array.values);
    std::vector<double> values;
    for (std::size_t i : keep) values.push_back(all[i]);
    io::write_vector(file, std::string(root) + "/points/" + array.name, std::span<const double>(values));
  }

  // Per pair: one distributed matrix per group and array.
  for (const PairGroup& g : layout.groups) {
    const kernels::SweepState::Block* mine = nullptr;
    for (const auto& b : state.blocks) {
      if (b.group == g.group) mine = &b;
    }
    if (mine == nullptr) throw std::logic_error("write_sweep_state: no block of group " + std::to_string(g.group));
    DistributedMatrix m(layout.grid, g.rows, g.cols, layout.block);
    if (mine->rows != m.local_rows() || mine->cols != m.local_cols()) {
      throw std::logic_error("write_sweep_state: block of group " + std::to_string(g.group) +
                             " is not this rank's part of the distributed matrix");
    }
    std::vector<std::string> local_names;
    for (const auto& a : mine->arrays) local_names.push_back(a.name);
    const auto array_names = union_of_names(comm, local_names);
    for (const auto& name : array_names) {
      const auto it = std::find_if(mine->arrays.begin(), mine->arrays.end(), [&](const auto& a) { return a.name == name; });
      for (std::int64_t c = 0; c < m.local_cols(); ++c) {
        for (std::int64_t r = 0; r < m.local_rows(); ++r) {
          // An array this block does not carry is Σ_i − Σ_j of a block whose points all share
          // one K0: zero for every pair in it.
          m.at(LocalIndex(r), LocalIndex(c)) =
              it == mine->arrays.end() ? 0.0 : it->values[static_cast<std::size_t>(r + c * m.local_rows())];
        }
      }
      io::write_matrix(file, group_path(g.group) + "/" + name, m);
    }
    io::write_attribute(file, group_path(g.group), "arrays", std::string_view(join(array_names)));
  }
  write_point_vectors(file, state, layout);
}

kernels::SweepState read_sweep_state(const io::File& file, const kernels::KernelProducer& sweep,
                                     std::span<const kernels::PairBlock> blocks, const SweepLayout& layout) {
  kernels::SweepState s;
  s.spec = sweep.spec();
  s.depths.assign(sweep.schedule().depths().begin(), sweep.schedule().depths().end());

  const auto counter_names = split(io::read_attribute<std::string>(file, std::string(root) + "/counters", "names"));
  const auto counters = io::read_int64_array(file, std::string(root) + "/counters", 1);
  const auto real_names = split(io::read_attribute<std::string>(file, std::string(root) + "/reals", "names"));
  const auto reals = io::read_double_array(file, std::string(root) + "/reals", 1);
  if (counter_names.size() != counters.values.size() || real_names.size() != reals.values.size()) {
    throw mpi::CollectiveError(file.describe(root) + ": counters and their names do not match");
  }
  for (std::size_t i = 0; i < counters.values.size(); ++i) s.counters.push_back({counter_names[i], counters.values[i]});
  for (std::size_t i = 0; i < reals.values.size(); ++i) s.reals.push_back({real_names[i], reals.values[i]});

  s.point_k0 = io::read_double_array(file, std::string(root) + "/point_k0", 1).values;
  // The point arrays the sweep asks for are exactly those save_state() produces.
  for (const auto& a : sweep.save_state().point_arrays) {
    s.point_arrays.push_back({a.name, io::read_double_array(file, std::string(root) + "/points/" + a.name, 1).values});
  }

  for (const kernels::PairBlock& pb : blocks) {
    const auto g = std::find_if(layout.groups.begin(), layout.groups.end(),
                                [&](const PairGroup& x) { return x.group == pb.group; });
    if (g == layout.groups.end()) throw std::logic_error("read_sweep_state: block of an unknown group");
    DistributedMatrix m(layout.grid, g->rows, g->cols, layout.block);
    kernels::SweepState::Block b;
    b.rows = pb.rows;
    b.cols = pb.cols;
    b.group = pb.group;
    b.symmetric = pb.symmetric;
    b.row_ids.assign(pb.row_ids.begin(), pb.row_ids.end());
    b.col_ids.assign(pb.col_ids.begin(), pb.col_ids.end());
    for (const auto& name : split(io::read_attribute<std::string>(file, group_path(g->group), "arrays"))) {
      io::read_matrix(file, group_path(g->group) + "/" + name, m);
      std::vector<double> values(static_cast<std::size_t>(m.local_rows() * m.local_cols()));
      for (std::int64_t c = 0; c < m.local_cols(); ++c) {
        for (std::int64_t r = 0; r < m.local_rows(); ++r) {
          values[static_cast<std::size_t>(r + c * m.local_rows())] = m.at(LocalIndex(r), LocalIndex(c));
        }
      }
      b.arrays.push_back({name, std::move(values)});
    }
    s.blocks.push_back(std::move(b));
  }
  read_point_vectors(file, layout, s);
  return s;
}

}  // namespace deepntk::app
