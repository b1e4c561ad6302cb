#include "deepntk/analysis/spectral_filter.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "deepntk/linalg/pblas.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;

double default_relative_floor(std::int64_t n) noexcept {
  return static_cast<double>(std::max<std::int64_t>(n, 1)) * std::numeric_limits<double>::epsilon();
}

SpectralBasis make_spectral_basis(linalg::EigenDecomposition decomposition, const DistributedMatrix& y,
                                  double relative_floor) {
  if (!decomposition.vectors) throw std::invalid_argument("make_spectral_basis: the decomposition holds no eigenvectors");
  DistributedMatrix& v = *decomposition.vectors;
  const std::int64_t n = v.rows();
  if (v.cols() != n || static_cast<std::int64_t>(decomposition.eigenvalues.size()) != n) {
    throw std::invalid_argument("make_spectral_basis: a complete decomposition (all n eigenpairs) is required");
  }
  if (y.rows() != n) {
    throw std::invalid_argument("make_spectral_basis: the targets have " + std::to_string(y.rows()) +
                                " rows, the kernel " + std::to_string(n));
  }
  detail::require_same_layout(v, y, "make_spectral_basis");
  const double relative = relative_floor < 0 ? default_relative_floor(n) : relative_floor;
  const auto& w = decomposition.eigenvalues;
  const double top = n > 0 ? std::max(*std::max_element(w.begin(), w.end()), 0.0) : 0.0;
  DistributedMatrix z(v.shared_grid(), n, y.cols(), v.block());
  linalg::gemm(linalg::Op::transpose, linalg::Op::none, 1.0, v, y, 0.0, z);
  return SpectralBasis{std::move(decomposition.eigenvalues), std::move(v), std::move(z), relative * top};
}

DistributedMatrix apply_spectral_filter(const SpectralBasis& basis, std::span<const double> filter) {
  if (filter.size() != basis.eigenvalues.size()) {
    throw std::invalid_argument("apply_spectral_filter: one filter value per eigenvalue is required");
  }
  DistributedMatrix scaled = basis.projected_targets;
  detail::scale_rows(scaled, filter);
  DistributedMatrix alpha(basis.vectors.shared_grid(), basis.vectors.rows(), scaled.cols(), basis.vectors.block());
  linalg::gemm(linalg::Op::none, linalg::Op::none, 1.0, basis.vectors, scaled, 0.0, alpha);
  return alpha;
}

}  // namespace deepntk::analysis
