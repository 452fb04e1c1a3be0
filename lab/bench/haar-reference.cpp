// C++ reference for `lectern-lab bench`: the same OpenCV detectMultiScale the native plugin calls, on the
// same raw 8-bit gray frame, so the Node binding's overhead can be measured against plain C++.
// Build: g++ -O2 -std=c++17 haar-reference.cpp $(pkg-config --cflags --libs opencv4) -o haar-reference
// Usage: haar-reference CASCADE FRAME.gray WIDTH HEIGHT SCALE MIN_NEIGHBORS MIN_SIZE MAX_SIZE RUNS THREADS
// Prints one JSON line: {"runs":[ms,...],"faces":N}
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

int main(int argc, char** argv) {
  if (argc != 11) {
    std::fprintf(stderr, "usage: %s CASCADE FRAME.gray WIDTH HEIGHT SCALE MIN_NEIGHBORS MIN_SIZE MAX_SIZE RUNS THREADS\n", argv[0]);
    return 2;
  }
  const int width = std::atoi(argv[3]), height = std::atoi(argv[4]);
  const double scale = std::atof(argv[5]);
  const int neighbours = std::atoi(argv[6]), minSize = std::atoi(argv[7]), maxSize = std::atoi(argv[8]);
  const int runs = std::atoi(argv[9]), threads = std::atoi(argv[10]);
  cv::setNumThreads(threads);
  cv::CascadeClassifier cascade;
  if (!cascade.load(argv[1])) {
    std::fprintf(stderr, "cannot load cascade %s\n", argv[1]);
    return 1;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<unsigned char> pixels((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (pixels.size() != static_cast<size_t>(width) * height) {
    std::fprintf(stderr, "%s holds %zu bytes, expected %d x %d\n", argv[2], pixels.size(), width, height);
    return 1;
  }
  const cv::Mat frame(height, width, CV_8UC1, pixels.data());
  std::vector<cv::Rect> faces;
  std::printf("{\"runs\":[");
  for (int i = 0; i < runs; i++) {
    const auto t0 = std::chrono::steady_clock::now();
    cascade.detectMultiScale(frame, faces, scale, neighbours, 0, cv::Size(minSize, minSize), cv::Size(maxSize, maxSize));
    const auto t1 = std::chrono::steady_clock::now();
    std::printf("%s%.3f", i ? "," : "", std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("],\"faces\":%zu}\n", faces.size());
  return 0;
}
