#include "deepntk/analysis/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "deepntk/linalg/norms.hpp"
#include "deepntk/linalg/pblas.hpp"
#include "detail.hpp"

namespace deepntk::analysis {

using matrix::DistributedMatrix;
using matrix::LocalIndex;

namespace {
void require_square(const DistributedMatrix& k, const char* who) {
  if (k.rows() != k.cols()) throw std::invalid_argument(std::string(who) + ": the kernel matrix must be square");
}

void require_factorizable(const DistributedMatrix& k, const char* who) {
  require_square(k, who);
  detail::require_finite(k, true, who);
}
}  // namespace

linalg::EigenDecomposition eigendecomposition(const DistributedMatrix& k) {
  require_factorizable(k, "eigendecomposition");
  DistributedMatrix work = k;
  return linalg::symmetric_eigen(work, true);
}

std::vector<double> eigenvalues(const DistributedMatrix& k) {
  require_factorizable(k, "eigenvalues");
  DistributedMatrix work = k;
  return linalg::symmetric_eigenvalues(work);
}

linalg::EigenDecomposition top_eigenpairs(const DistributedMatrix& k, std::int64_t count, bool keep_vectors) {
  require_factorizable(k, "top_eigenpairs");
  if (count < 0 || count > k.rows()) {
    throw std::invalid_argument("top_eigenpairs: count must lie in 0 .. n = " + std::to_string(k.rows()));
  }
  DistributedMatrix work = k;
  return linalg::symmetric_eigen_range(work, k.rows() - count, count, keep_vectors);
}

double trace(const DistributedMatrix& k) {
  require_square(k, "trace");
  detail::CompensatedSum local;
  for (std::int64_t c = 0; c < k.local_cols(); ++c) {
    const auto gc = k.global_col(LocalIndex(c)).value();
    for (std::int64_t r = 0; r < k.local_rows(); ++r)
      if (k.global_row(LocalIndex(r)).value() == gc) local.add(k.at(LocalIndex(r), LocalIndex(c)));
  }
  return detail::ordered_sum(k.grid().communicator(), local);
}

SpectrumSummary summarize_spectrum(std::span<const double> spectrum) {
  if (spectrum.empty()) throw std::invalid_argument("summarize_spectrum: the spectrum is empty");
  SpectrumSummary s;
  s.size = static_cast<std::int64_t>(spectrum.size());
  s.lambda_min = *std::min_element(spectrum.begin(), spectrum.end());
  s.lambda_max = *std::max_element(spectrum.begin(), spectrum.end());
  detail::CompensatedSum total, log_det;
  for (double x : spectrum) {
    total.add(x);
    if (x <= 0) ++s.nonpositive;
  }
  s.trace = total.value();
  constexpr double inf = std::numeric_limits<double>::infinity();
  s.condition_number = s.lambda_min > 0 ? s.lambda_max / s.lambda_min : inf;

  // Effective rank on the clipped spectrum, scaled by lambda_max so squares cannot overflow.
  const double top = std::max(s.lambda_max, 0.0);
  if (top > 0) {
    detail::CompensatedSum sum, sum_sq;
    for (double x : spectrum) {
      const double y = std::max(x, 0.0) / top;
      sum.add(y);
      sum_sq.add(y * y);
    }
    s.effective_rank = sum.value() * sum.value() / sum_sq.value();
  } else {
    s.effective_rank = s.lambda_max == s.lambda_max ? 0.0 : std::numeric_limits<double>::quiet_NaN();
  }

  if (s.lambda_min > 0) {
    for (double x : spectrum) log_det.add(std::log(x));
    s.log_determinant = log_det.value();
  } else if (s.lambda_min == 0) {
    s.log_determinant = -inf;
  } else {
    s.log_determinant = std::numeric_limits<double>::quiet_NaN();  // also when an eigenvalue is NaN
  }
  return s;
}

DecompositionQuality decomposition_quality(const DistributedMatrix& k, const linalg::EigenDecomposition& e) {
  require_square(k, "decomposition_quality");
  if (!e.vectors) throw std::invalid_argument("decomposition_quality: the decomposition holds no eigenvectors");
  const DistributedMatrix& v = *e.vectors;
  detail::require_same_layout(k, v, "decomposition_quality");
  const std::int64_t count = v.cols();
  if (v.rows() != k.rows() || static_cast<std::int64_t>(e.eigenvalues.size()) != count) {
    throw std::invalid_argument("decomposition_quality: the decomposition does not match the matrix");
  }
  DecompositionQuality q;
  // R = K V - V Lambda.
  DistributedMatrix r = v;
  detail::scale_columns(r, e.eigenvalues);
  linalg::symm(linalg::Triangle::lower, 1.0, k, v, -1.0, r);
  const double k_norm = linalg::symmetric_frobenius_norm(linalg::Triangle::lower, k);
  const double r_norm = linalg::frobenius_norm(r);
  q.residual = k_norm > 0 ? r_norm / k_norm : r_norm;
  // G = V^T V - I. For a square V, ||V^T V - I||_F = ||V V^T - I||_F (both Gram matrices have
  // the squared singular values of V as eigenvalues), and V V^T - I is symmetric: PDSYRK forms
  // one triangle for half the flops of the PDGEMM a tall n x k V (top-k) still uses.
  DistributedMatrix g = detail::identity_like(v, count);
  if (count == v.rows()) {
    linalg::syrk(linalg::Triangle::lower, 1.0, v, -1.0, g);
    q.orthogonality = linalg::symmetric_frobenius_norm(linalg::Triangle::lower, g);
  } else {
    linalg::gemm(linalg::Op::transpose, linalg::Op::none, 1.0, v, v, -1.0, g);
    q.orthogonality = linalg::frobenius_norm(g);
  }
  return q;
}

}  // namespace deepntk::analysis
