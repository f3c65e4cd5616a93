package io.github.otelkernel.estest;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Test fixture, not product code: the three analysis components the security index's "email"
 * analyzer needs (pattern_capture, unique, uax_url_email). The full distribution has them in its
 * analysis-common module; the integ-test-zip does not, so without this the cluster cannot create its
 * security index and no role or user can be stored through the API. Built from Lucene's own classes
 * by the tests against the unpacked server's jars.
 */
public class KsecTestAnalysisPlugin extends Plugin implements AnalysisPlugin {
  @Override
  public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
    return Map.of(
        "pattern_capture", (indexSettings, environment, name, settings) -> {
          List<String> patterns = settings.getAsList("patterns");
          Pattern[] compiled = patterns.stream().map(Pattern::compile).toArray(Pattern[]::new);
          boolean preserveOriginal = settings.getAsBoolean("preserve_original", true);
          return filter(name, in -> new PatternCaptureGroupTokenFilter(in, preserveOriginal, compiled));
        },
        "unique", (indexSettings, environment, name, settings) -> filter(name, RemoveDuplicatesTokenFilter::new));
  }

  @Override
  public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
    return Map.of("uax_url_email",
        (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, UAX29URLEmailTokenizer::new));
  }

  private static TokenFilterFactory filter(String name, java.util.function.UnaryOperator<TokenStream> create) {
    return new TokenFilterFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public TokenStream create(TokenStream in) {
        return create.apply(in);
      }
    };
  }
}
