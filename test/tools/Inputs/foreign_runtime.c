/* A model library whose runtime is not mica-run's: the model object has
 * its own layout and every C ABI function is this library's. mica-run must
 * call these (dlsym), not its own copies linked for JIT models. The model
 * doubles a 4-element f32 input. */
#include <stdint.h>
#include <stdlib.h>

typedef struct mica_model {
  double unrelated[3]; /* a layout nothing else shares */
  float out[4];
  int64_t dims[1];
  const char *error;
} mica_model;

static const int64_t kShape[1] = {4};

mica_model *mica_model_create(void) {
  mica_model *m = calloc(1, sizeof(mica_model));
  m->dims[0] = 4;
  m->error = "";
  return m;
}
void mica_model_destroy(mica_model *m) { free(m); }
int mica_model_num_inputs(const mica_model *m) { return 1; }
int mica_model_num_outputs(const mica_model *m) { return 1; }
const char *mica_model_input_name(const mica_model *m, int i) { return "x"; }
const char *mica_model_output_name(const mica_model *m, int i) { return "twice"; }
int mica_model_input_dtype(const mica_model *m, int i) { return 0; }
int mica_model_output_dtype(const mica_model *m, int i) { return 0; }
int mica_model_input_rank(const mica_model *m, int i) { return 1; }
int mica_model_output_rank(const mica_model *m, int i) { return 1; }
const int64_t *mica_model_input_shape(const mica_model *m, int i) { return kShape; }
const int64_t *mica_model_output_shape(const mica_model *m, int i) { return kShape; }
int mica_model_run(mica_model *m, const void *const *inputs,
                   const int64_t *const *dims) {
  const float *x = inputs[0];
  for (int k = 0; k < 4; ++k)
    m->out[k] = 2.0f * x[k];
  return 0;
}
const void *mica_model_output_data(const mica_model *m, int i) { return m->out; }
const int64_t *mica_model_output_dims(const mica_model *m, int i) { return m->dims; }
const char *mica_model_error(const mica_model *m) { return m->error; }
