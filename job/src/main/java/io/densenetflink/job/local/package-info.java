/**
 * What only {@code bin/densenet} runs on one machine: the in-process Kafka broker ({@code broker}, the tests) and the
 * demo ({@code demo}). Left out of the cluster job jar (job/pom.xml's shade filter; JobJarTest checks it).
 */
package io.densenetflink.job.local;
