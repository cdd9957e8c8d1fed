/** JMH benchmarks. Build with {@code mvn -pl bench -am package -DskipTests}; run {@code java -jar bench/target/benchmarks.jar}. */
package io.wirelink.bench;
