#pragma once
/// \file
/// marketlearn: cost functions, gradient-descent optimizers and SIMD kernels for
/// marketing models. Include this header; the rest are internals.
///
/// Layers, from data to numerics (one folder each):
///   models/     fit functions and fitted models (fit_linear, fit_logistic_regression,
///               LinearModel; fit_kmeans, fit_minibatch_kmeans, kmeans_block_sums;
///               fit_bgnbd, fit_gamma_gamma and their CLV predictions)
///   optim/      optimizers (GradientDescent, SGD + update policies: Momentum, Nesterov,
///               Adagrad, RMSprop, Adam, AdamW; LBFGS), schedules, clipping, callbacks
///   objective/  loss + regularizer over data, as separable objectives
///   loss/       scalar loss forms
///   simd/       xsimd kernels over raw pointers, per architecture
///   io/         model files written by Python's marketlearn.save_model (load_model)

#include "marketlearn/version.hpp"
#include "marketlearn/core/error.hpp"
#include "marketlearn/core/parallel.hpp"
#include "marketlearn/core/special_functions.hpp"
#include "marketlearn/simd/dispatch.hpp"
#include "marketlearn/loss/logistic.hpp"
#include "marketlearn/objective/traits.hpp"
#include "marketlearn/objective/block_sums.hpp"
#include "marketlearn/objective/linear_objective.hpp"
#include "marketlearn/objective/logistic_objective.hpp"
#include "marketlearn/objective/bgnbd_objective.hpp"
#include "marketlearn/objective/gamma_gamma_objective.hpp"
#include "marketlearn/optim/result.hpp"
#include "marketlearn/optim/callbacks.hpp"
#include "marketlearn/optim/schedules.hpp"
#include "marketlearn/optim/gradient_descent.hpp"
#include "marketlearn/optim/sgd.hpp"
#include "marketlearn/optim/lbfgs.hpp"
#include "marketlearn/optim/any_schedule.hpp"
#include "marketlearn/optim/clipping.hpp"
#include "marketlearn/optim/numerical_hessian.hpp"
#include "marketlearn/models/linear_model.hpp"
#include "marketlearn/models/linear.hpp"
#include "marketlearn/models/logistic_regression.hpp"
#include "marketlearn/models/metrics.hpp"
#include "marketlearn/models/customer_summary.hpp"
#include "marketlearn/models/bgnbd.hpp"
#include "marketlearn/models/gamma_gamma.hpp"
#include "marketlearn/models/kmeans_sums.hpp"
#include "marketlearn/models/kmeans_init.hpp"
#include "marketlearn/models/kmeans.hpp"
#include "marketlearn/models/minibatch_kmeans.hpp"
#include "marketlearn/io/json.hpp"
#include "marketlearn/io/model_file.hpp"
