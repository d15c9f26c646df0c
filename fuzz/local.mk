# fuzz targets (built only with --enable-fuzzing)
