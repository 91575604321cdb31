// The one WebAssembly module of landcarbon: every kernel file is re-exported here.
// Rules (architecture.md): runtime stub, no allocation, no mutable globals; the host lays out
// every buffer in the shared memory and passes pointers and lengths only.
export { rng_fill_u32, rng_fill_f64 } from './rng';
export { ca_step } from './ca';

/** First free byte above static data: the host's arena starts here (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
export { zonal_task, presence_mark, int_minmax, code_minmax } from './zonal';
export { mlp_forward_simd, mlp_forward_scalar, mlp_scratch_bytes, mlp_prepared_bytes, mlp_prepare_simd, mlp_exp2_simd, mlp_sigmoid2_simd } from './mlp';
export { paths_brandes_chunks, paths_reduce_f64, paths_reduce_i32, paths_scratch_bytes } from './paths';
export { gravity_hist, gravity_emit, gravity_rowsum } from './gravity';
export { casa_month, casa_month_simd, casa_vexp } from './casa';
export { zone_adjacency } from './adjacency';
export { classmap_run } from './classmap';
export { demand_hist, demand_collect, demand_sort, demand_tie_permute } from './demand';
export { forest_predict, forest_scratch_bytes } from './forest';
export { cars_step, cars_scratch_bytes } from './cars';
