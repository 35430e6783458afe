// The usual visitor helper for std::visit over several lambdas.
#pragma once

namespace donut {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace donut
